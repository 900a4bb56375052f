"""The public help form, fuzzed: whatever is posted, the answer is a page (200) or a
clear 4xx, never a 500."""

from __future__ import annotations

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dualpower.bodies.models import Body
from dualpower.listings.models import IntakeCounter

FIELDS = ("description", "category", "area", "when", "name", "phone", "email", "address",
          "website", "csrfmiddlewaretoken")  # fmt: skip
text = st.one_of(
    st.text(max_size=300),
    st.just("nul\x00byte"),
    st.sampled_from(["", "Groceries", "Riverside", "a@b.c"]),
)
forms = st.dictionaries(st.sampled_from(FIELDS), st.one_of(text, st.lists(text, max_size=3)))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=forms)
def test_the_intake_form_never_answers_500(hub: Body, data: dict[str, object]) -> None:
    IntakeCounter.objects.all().delete()  # the rate limit is tested on its own
    response = Client().post(f"/bodies/{hub.slug}/help/", data)
    assert response.status_code in (200, 302, 400, 404, 422, 429), response.status_code
