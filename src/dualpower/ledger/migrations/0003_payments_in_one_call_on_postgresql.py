"""On PostgreSQL, a batch of payments is settled by one function call (one round trip).

``dualpower_ledger_pay(batch, at)`` does, for each payment of ``batch`` in order, what
``ledger.services._pay_many_python`` does in Python (the reference, used on SQLite): the
stored outcome of a client key used before, or the limit and ceiling checks against the
balances left by the payments before it, the transfer, both balances, both entries and
the journal entry chained to the body's previous one. The journal's hash is computed here
over the canonical JSON that Python prepared around the three values only the database
knows (the transfer's id, the previous hash, the sequence number), so that
``dualpower journal verify`` recomputes exactly the same hash. A test runs the same
payments through both and compares everything.

The ledger locks (the bodies' rows) are taken first; every later statement of the function
sees what committed before it (READ COMMITTED, a new snapshot per statement).
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION dualpower_amount(units bigint, decimals integer) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN decimals = 0 THEN units::text
        ELSE (CASE WHEN units < 0 THEN '-' ELSE '' END)
            || (abs(units) / (10::bigint ^ decimals)::bigint)::text || '.'
            || lpad(mod(abs(units), (10::bigint ^ decimals)::bigint)::text, decimals, '0')
    END
$$;

CREATE OR REPLACE FUNCTION dualpower_ledger_pay(batch jsonb, at timestamptz) RETURNS jsonb
LANGUAGE plpgsql
-- Plan each statement once per session: re-planning them for every batch cost more
-- than running them.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    p record;
    answers jsonb[] := '{}';
    n integer := 0;  -- transfers written
    m integer := 0;  -- of which applied
    r integer := 0;  -- answers that replay a stored outcome
    i integer;
    t_keys text[] := '{}';
    v_bodies bigint[];
    v_accounts bigint[];
    v_first bigint;
    v_locked bigint[];
    v_key text;
    v_why text;
    v_id bigint;
    v_seq integer;
    v_hash text;
    v_payload text;
    ids_seq regclass := pg_get_serial_sequence('ledger_transfer', 'id')::regclass;
    -- the accounts of the batch, their running balances, and which ones moved
    a_id bigint[];
    a_balance bigint[];
    a_limit bigint[];
    a_ceiling bigint[];
    a_moved boolean[];
    i_from integer;
    i_to integer;
    -- the head of each body's journal chain, as the batch extends it
    h_body bigint[] := '{}';
    h_seq integer[] := '{}';
    h_hash text[] := '{}';
    h integer;
    -- the rows to insert, one array per column
    t_id bigint[] := '{}'; t_body bigint[] := '{}'; t_currency bigint[] := '{}';
    t_kind text[] := '{}'; t_from bigint[] := '{}'; t_to bigint[] := '{}';
    t_amount bigint[] := '{}'; t_memo text[] := '{}'; t_status text[] := '{}';
    t_reason text[] := '{}'; t_owner text[] := '{}'; t_key text[] := '{}';
    t_digest text[] := '{}'; t_by bigint[] := '{}'; t_decision text[] := '{}';
    e_body bigint[] := '{}'; e_transfer bigint[] := '{}'; e_account bigint[] := '{}';
    e_amount bigint[] := '{}'; e_after bigint[] := '{}';
    j_body bigint[] := '{}'; j_seq integer[] := '{}'; j_payload text[] := '{}';
    j_prev text[] := '{}'; j_hash text[] := '{}';
BEGIN
    -- Only indexed look-ups below (these plans are generic: a join or an IN over the
    -- batch could be planned as a scan of the whole table).
    SELECT array_agg(DISTINCT x.body), array_agg(DISTINCT x."from") || array_agg(DISTINCT x."to")
        INTO v_bodies, v_accounts
        FROM jsonb_to_recordset(batch) AS x(body bigint, "from" bigint, "to" bigint);
    -- The ledger locks first; every statement after them sees what committed before. The
    -- batch waits for one lock only (the lowest id), holding none, and takes the others
    -- only if they are free: so it never closes a cycle of waits with a change that locks
    -- two bodies in another order (a decision to join a federation). The payments of a
    -- body it could not lock are answered "retry"; the caller settles them next.
    v_first := (SELECT min(b) FROM unnest(v_bodies) b);
    PERFORM 1 FROM bodies_body WHERE id = v_first FOR UPDATE;
    SELECT v_first || coalesce(array_agg(s.id), '{}') INTO v_locked
        FROM (SELECT id FROM bodies_body WHERE id = ANY(v_bodies) AND id <> v_first
              ORDER BY id FOR UPDATE SKIP LOCKED) s;
    SELECT array_agg(a.id), array_agg(a.balance), array_agg(a."limit"), array_agg(a.ceiling),
           array_agg(false)
        INTO a_id, a_balance, a_limit, a_ceiling, a_moved
        FROM ledger_account a
        WHERE a.id = ANY(v_accounts);
    FOR p IN SELECT * FROM jsonb_to_recordset(batch) AS x(
        body bigint, currency bigint, code text, decimals integer, kind text, "from" bigint,
        "to" bigint, amount bigint, memo text, owner text, key text, digest text,
        created_by bigint, decision text, from_label text, to_label text, payload text,
        before text, after text)
    LOOP
        IF NOT p.body = ANY(v_locked) THEN
            r := r + 1;
            answers[n + r] := jsonb_build_object('retry', true);
            CONTINUE;
        END IF;
        SELECT t.id, t.request_digest INTO v_id, v_hash FROM ledger_transfer t
            WHERE t.body_id = p.body AND t.key_owner = p.owner AND t.client_key = p.key;
        IF FOUND THEN  -- a key used before: its stored outcome
            r := r + 1;
            answers[n + r] := jsonb_build_object('id', v_id, 'replay', true, 'digest', v_hash);
            CONTINUE;
        END IF;
        v_key := p.body || chr(31) || p.owner || chr(31) || p.key;  -- chr(31) is in no key
        i := array_position(t_keys, v_key);
        IF i IS NOT NULL THEN  -- the same key twice in this batch
            r := r + 1;
            answers[n + r] := jsonb_build_object('id', t_id[i], 'replay', true,
                                                 'digest', t_digest[i]);
            CONTINUE;
        END IF;
        i_from := array_position(a_id, p."from");
        i_to := array_position(a_id, p."to");
        v_why := '';
        IF a_limit[i_from] IS NOT NULL AND a_balance[i_from] - p.amount < -a_limit[i_from] THEN
            v_why := 'over the limit: ' || p.from_label || ' may not go below '
                || dualpower_amount(-a_limit[i_from], p.decimals) || ' ' || p.code;
        ELSIF a_ceiling[i_to] IS NOT NULL AND a_balance[i_to] + p.amount > a_ceiling[i_to] THEN
            v_why := 'over the ceiling: ' || p.to_label || ' may not hold more than '
                || dualpower_amount(a_ceiling[i_to], p.decimals) || ' ' || p.code;
        END IF;
        v_id := nextval(ids_seq);
        n := n + 1;
        t_keys[n] := v_key;
        t_id[n] := v_id;
        t_body[n] := p.body;
        t_currency[n] := p.currency;
        t_kind[n] := p.kind;
        t_from[n] := p."from";
        t_to[n] := p."to";
        t_amount[n] := p.amount;
        t_memo[n] := p.memo;
        t_status[n] := CASE WHEN v_why = '' THEN 'applied' ELSE 'refused' END;
        t_reason[n] := v_why;
        t_owner[n] := p.owner;
        t_key[n] := p.key;
        t_digest[n] := p.digest;
        t_by[n] := p.created_by;
        t_decision[n] := p.decision;
        IF v_why = '' THEN
            a_balance[i_from] := a_balance[i_from] - p.amount;
            a_balance[i_to] := a_balance[i_to] + p.amount;
            a_moved[i_from] := true;
            a_moved[i_to] := true;
            m := m + 1;
            e_body[2 * m - 1] := p.body;
            e_body[2 * m] := p.body;
            e_transfer[2 * m - 1] := v_id;
            e_transfer[2 * m] := v_id;
            e_account[2 * m - 1] := p."from";
            e_account[2 * m] := p."to";
            e_amount[2 * m - 1] := -p.amount;
            e_amount[2 * m] := p.amount;
            e_after[2 * m - 1] := a_balance[i_from];
            e_after[2 * m] := a_balance[i_to];
            h := array_position(h_body, p.body);
            IF h IS NULL THEN
                SELECT j.seq, j.hash INTO v_seq, v_hash FROM bodies_journalentry j
                    WHERE j.body_id = p.body ORDER BY j.seq DESC LIMIT 1;
                IF NOT FOUND THEN
                    v_seq := 0;
                    v_hash := repeat('0', 64);
                END IF;
                h := coalesce(array_length(h_body, 1), 0) + 1;
                h_body[h] := p.body;
                h_seq[h] := v_seq;
                h_hash[h] := v_hash;
            END IF;
            v_seq := h_seq[h] + 1;
            v_payload := p.payload || ',"transfer":' || v_id || '}';
            v_hash := encode(sha256(convert_to(p.before || v_payload || ',"prev_hash":"'
                || h_hash[h] || p.after || v_seq || '}', 'UTF8')), 'hex');
            j_body[m] := p.body;
            j_seq[m] := v_seq;
            j_payload[m] := v_payload;
            j_prev[m] := h_hash[h];
            j_hash[m] := v_hash;
            h_seq[h] := v_seq;
            h_hash[h] := v_hash;
        END IF;
        answers[n + r] := jsonb_build_object('id', v_id, 'applied', v_why = '',
                                             'reason', v_why);
    END LOOP;
    -- One statement per table for the whole batch; each account is written once.
    INSERT INTO ledger_transfer (
        id, body_id, currency_id, kind, from_account_id, to_account_id, amount, memo,
        reverses_id, status, reason, key_owner, client_key, request_digest, created_by_id,
        decision, dispute_until, created_at, settled_at
    ) SELECT u.id, u.body, u.currency, u.kind, u.source, u.target, u.amount, u.memo, NULL,
             u.status, u.reason, u.owner, u.key, u.digest, u.by, u.decision, NULL, at, at
      FROM unnest(t_id, t_body, t_currency, t_kind, t_from, t_to, t_amount, t_memo, t_status,
                  t_reason, t_owner, t_key, t_digest, t_by, t_decision)
        AS u(id, body, currency, kind, source, target, amount, memo, status, reason, owner,
             key, digest, by, decision);
    FOR i IN 1 .. coalesce(array_length(a_id, 1), 0) LOOP
        IF a_moved[i] THEN
            UPDATE ledger_account SET balance = a_balance[i] WHERE id = a_id[i];
        END IF;
    END LOOP;
    INSERT INTO ledger_entry (body_id, transfer_id, account_id, amount, balance_after,
                              created_at)
        SELECT u.body, u.transfer, u.account, u.amount, u.after, at
        FROM unnest(e_body, e_transfer, e_account, e_amount, e_after)
          AS u(body, transfer, account, amount, after);
    INSERT INTO bodies_journalentry (body_id, seq, kind, payload, recorded_at, prev_hash, hash)
        SELECT u.body, u.seq, 'ledger.transfer_applied', u.payload::jsonb, at, u.prev, u.hash
        FROM unnest(j_body, j_seq, j_payload, j_prev, j_hash)
          AS u(body, seq, payload, prev, hash);
    RETURN to_jsonb(answers);
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS dualpower_ledger_pay(jsonb, timestamptz);
DROP FUNCTION IF EXISTS dualpower_amount(bigint, integer);
"""


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_currency_recording_and_dispute_window"),
        ("bodies", "0002_journal_is_append_only_on_postgresql"),
    ]
    operations = [migrations.RunPython(forward, backward)]
