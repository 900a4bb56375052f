from ninja import NinjaAPI

api = NinjaAPI(title="dualpower", version="1", urls_namespace="api")
