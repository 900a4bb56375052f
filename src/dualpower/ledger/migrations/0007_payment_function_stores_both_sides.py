"""On PostgreSQL, ``dualpower_ledger_pay`` stores each applied payment's two sides on its
transfer row (``from_balance_after``, ``to_balance_after``) instead of writing two
``ledger_entry`` rows, which 0006 made a view of those columns.

The contract is 0004's but for the time: the same batch in, the same locks, the same
refusals word for word, the same journal hashes, and the same entries as read through the
view. What changed:

- The one statement that writes has no ``entries`` CTE, and the transfers' INSERT also
  writes the balances after the payment that the loop already computed (``o_from_after``,
  ``o_to_after``; NULL for a refusal). A settled payment's answer carries them too
  (``from_after``, ``to_after``), so that the transfer Python returns is the stored one.
- The batch's time is the database's clock once the ledgers are locked, not a parameter
  that Python read before the call (``dualpower_ledger_pay(batch)``; the batch has no
  "after" any more). A statement lists an account's entries by time now that an entry's
  id follows its transfer's (0006): a batch that had waited for the lock must not carry
  a time earlier than what was settled while it waited. The journal's ``recorded_at``
  text is made in SQL by ``dualpower_isoformat``, exactly as Python's ``isoformat()``
  writes the stored value (``journal verify`` recomputes the same hashes; a test compares
  the two for random instants), and the answer carries the time (``at``).

The reverse migration drops both functions and restores 0004's (which writes
``ledger_entry`` rows: reverse 0006 too).
"""

import importlib

from django.db import migrations

FORWARD = r"""
-- Python's datetime.isoformat() of the same instant in UTC (as Django reads it back):
-- the microseconds only if there are any.
CREATE OR REPLACE FUNCTION dualpower_isoformat(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN mod(date_part('microseconds', t AT TIME ZONE 'UTC')::bigint, 1000000) = 0
                THEN '' ELSE to_char(t AT TIME ZONE 'UTC', '.US') END
        || '+00:00'
$$;

DROP FUNCTION IF EXISTS dualpower_ledger_pay(jsonb, timestamptz);

CREATE OR REPLACE FUNCTION dualpower_ledger_pay(batch jsonb) RETURNS jsonb
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    n integer;
    -- the batch, read once: one array per field, indexed by the payment's place
    p_body bigint[]; p_currency bigint[]; p_code text[]; p_decimals integer[];
    p_kind text[]; p_from bigint[]; p_to bigint[]; p_amount bigint[]; p_memo text[];
    p_owner text[]; p_key text[]; p_digest text[]; p_by bigint[]; p_decision text[];
    p_from_label text[]; p_to_label text[]; p_payload text[]; p_before text[];
    -- the batch's time, read once its ledgers are locked (so that a ledger's transfers
    -- are settled in the order of their times), and the journal text after each hash
    v_at timestamptz; v_at_text text; v_after text;
    v_first bigint;
    v_more boolean;
    v_locked bigint[];
    v_message text;
    v_bad integer;  -- the first payment with a bad reference
    -- per payment: its body's place in v_locked (NULL: not locked, retry), the transfer
    -- stored under its key, and the first payment of the batch with the same key
    s_lock integer[]; s_id bigint[]; s_digest text[]; s_first integer[];
    -- the accounts of the batch (each payment's two: some twice, and the loop moves the
    -- first place of each), their running balances
    a_id bigint[]; a_balance bigint[]; a_start bigint[]; a_limit bigint[];
    a_ceiling bigint[];
    -- the head of each locked body's journal chain, as the batch extends it
    h_seq integer[]; h_hash text[];
    -- per payment settled here: its id, the reason of a refusal, and for an applied one
    -- the balances after it, its journal seq, previous hash and hash
    o_id bigint[]; o_reason text[]; o_from_after bigint[]; o_to_after bigint[];
    o_seq integer[]; o_prev text[]; o_hash text[];
    i integer; v_from integer; v_to integer; v_head integer;
    answers jsonb;
BEGIN
    SELECT count(*), min(x.body), min(x.body) <> max(x.body),
           array_agg(x.body), array_agg(x.currency), array_agg(x.code), array_agg(x.decimals),
           array_agg(x.kind), array_agg(x."from"), array_agg(x."to"), array_agg(x.amount),
           array_agg(x.memo), array_agg(x.owner), array_agg(x.key), array_agg(x.digest),
           array_agg(x.created_by), array_agg(x.decision), array_agg(x.from_label),
           array_agg(x.to_label), array_agg(x.payload), array_agg(x.before),
           -- the outcomes: one place per payment, NULL until it is settled (so that
           -- unnest lines them up with the batch)
           array_fill(NULL::bigint, ARRAY[count(*)::integer]),
           array_fill(NULL::text, ARRAY[count(*)::integer]),
           array_fill(NULL::bigint, ARRAY[count(*)::integer]),
           array_fill(NULL::bigint, ARRAY[count(*)::integer]),
           array_fill(NULL::integer, ARRAY[count(*)::integer]),
           array_fill(NULL::text, ARRAY[count(*)::integer]),
           array_fill(NULL::text, ARRAY[count(*)::integer])
        INTO n, v_first, v_more,
             p_body, p_currency, p_code, p_decimals, p_kind, p_from, p_to, p_amount, p_memo,
             p_owner, p_key, p_digest, p_by, p_decision, p_from_label, p_to_label, p_payload,
             p_before, o_id, o_reason, o_from_after, o_to_after, o_seq, o_prev, o_hash
        FROM jsonb_to_recordset(batch) AS x(
            body bigint, currency bigint, code text, decimals integer, kind text,
            "from" bigint, "to" bigint, amount bigint, memo text, owner text, key text,
            digest text, created_by bigint, decision text, from_label text, to_label text,
            payload text, before text);
    -- The ledger locks first; every statement after them sees what committed before. The
    -- batch waits for one lock only (the lowest id), holding none, and takes the others
    -- only if they are free: so it never closes a cycle of waits with a change that locks
    -- two bodies in another order (a decision to join a federation). The payments of a
    -- body it could not lock are answered "retry"; the caller settles them next.
    PERFORM FROM bodies_body WHERE id = v_first FOR UPDATE;
    v_locked := ARRAY[v_first];
    IF v_more THEN
        SELECT v_first || coalesce(array_agg(s.id), '{}') INTO v_locked
            FROM (SELECT id FROM bodies_body
                  WHERE id = ANY(p_body) AND id <> v_first ORDER BY id
                  FOR UPDATE SKIP LOCKED) s;
    END IF;
    v_at := clock_timestamp();
    v_at_text := dualpower_isoformat(v_at);
    v_after := '","recorded_at":' || to_json(v_at_text)::text || ',"seq":';
    -- What the loop needs from the tables, in one statement: per payment, the transfer
    -- stored under its key, its accounts, and whether all it names exists and belongs
    -- together (what the foreign keys would check, for the whole batch at once).
    SELECT k.lock, k.id, k.digest, k.first, k.a_id, k.a_balance, k.a_limit, k.a_ceiling,
           k.bad, j.seq, j.hash
        INTO s_lock, s_id, s_digest, s_first, a_id, a_balance, a_limit, a_ceiling,
             v_bad, h_seq, h_hash
        FROM (SELECT array_agg(k.lock) AS lock, array_agg(k.id) AS id,
                     array_agg(k.digest) AS digest, array_agg(k.first) AS first,
                     array_agg(k.f_id) || array_agg(k.t_id) AS a_id,
                     array_agg(k.f_balance) || array_agg(k.t_balance) AS a_balance,
                     array_agg(k.f_limit) || array_agg(k.t_limit) AS a_limit,
                     array_agg(k.f_ceiling) || array_agg(k.t_ceiling) AS a_ceiling,
                     min(k.o) FILTER (WHERE k.ok IS NOT TRUE) AS bad
              FROM (SELECT array_position(v_locked, u.body) AS lock, t.id,
                           t.request_digest AS digest, u.first,
                           f.id AS f_id, f.balance AS f_balance, f."limit" AS f_limit,
                           f.ceiling AS f_ceiling, tt.id AS t_id, tt.balance AS t_balance,
                           tt."limit" AS t_limit, tt.ceiling AS t_ceiling,
                           u.o,
                           -- all it names exists and belongs together (else it is bad)
                           c.body_id = u.body AND f.currency_id = u.currency
                           AND f.body_id = u.body AND tt.currency_id = u.currency
                           AND tt.body_id = u.body AND u."from" <> u."to"
                           AND (u.created_by IS NULL OR pe.id IS NOT NULL) AS ok
                    FROM (SELECT u.*, min(u.o) OVER (PARTITION BY u.body, u.owner, u.key) AS first
                          FROM unnest(p_body, p_currency, p_from, p_to, p_by, p_owner, p_key)
                              WITH ORDINALITY
                              AS u(body, currency, "from", "to", created_by, owner, key, o)) u
                    -- LATERAL ... LIMIT 1: a nested loop of look-ups by a unique index, whatever
                    -- the tables' sizes were when the generic plan was made.
                    LEFT JOIN LATERAL (
                        SELECT t.id, t.request_digest FROM ledger_transfer t
                        WHERE t.body_id = u.body AND t.key_owner = u.owner
                          AND t.client_key = u.key LIMIT 1) t ON true
                    LEFT JOIN LATERAL (
                        SELECT c.body_id FROM ledger_currency c WHERE c.id = u.currency LIMIT 1
                    ) c ON true
                    LEFT JOIN LATERAL (
                        SELECT a.* FROM ledger_account a WHERE a.id = u."from" LIMIT 1) f ON true
                    LEFT JOIN LATERAL (
                        SELECT a.* FROM ledger_account a WHERE a.id = u."to" LIMIT 1) tt ON true
                    LEFT JOIN LATERAL (
                        SELECT pe.id FROM accounts_person pe WHERE pe.id = u.created_by LIMIT 1
                    ) pe ON true
                    ORDER BY u.o) k) k,
             (SELECT array_agg(coalesce(j.seq, 0)) AS seq,
                     array_agg(coalesce(j.hash, repeat('0', 64))) AS hash
              FROM unnest(v_locked) WITH ORDINALITY AS b(id, o)
              LEFT JOIN LATERAL (
                  SELECT j.seq, j.hash FROM bodies_journalentry j
                  WHERE j.body_id = b.id ORDER BY j.seq DESC LIMIT 1
              ) j ON true) j;
    IF v_bad IS NOT NULL THEN  -- which reference is bad (only now, in words)
        SELECT 'payment ' || v_bad || ' of the batch: ' || CASE
                WHEN NOT EXISTS (SELECT FROM ledger_currency c
                                 WHERE c.id = p_currency[v_bad] AND c.body_id = p_body[v_bad])
                    THEN 'currency ' || coalesce(p_currency[v_bad]::text, 'null')
                         || ' is not a currency of body ' || coalesce(p_body[v_bad]::text, 'null')
                WHEN bad.side IS NOT NULL
                    THEN 'account '
                         || coalesce((ARRAY[p_from[v_bad], p_to[v_bad]])[bad.side]::text, 'null')
                         || ' is not an account of currency ' || p_currency[v_bad]
                         || ' of body ' || p_body[v_bad]
                WHEN p_from[v_bad] = p_to[v_bad] THEN 'account ' || p_from[v_bad] || ' pays itself'
                ELSE 'person ' || p_by[v_bad] || ' does not exist'
            END
            INTO v_message
            FROM (SELECT (SELECT x.o FROM unnest(ARRAY[p_from[v_bad], p_to[v_bad]])
                                      WITH ORDINALITY AS x(id, o)
                          WHERE x.id IS NULL OR NOT EXISTS (
                              SELECT FROM ledger_account a WHERE a.id = x.id
                              AND a.currency_id = p_currency[v_bad] AND a.body_id = p_body[v_bad])
                          ORDER BY x.o LIMIT 1) AS side) bad;
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = v_message;
    END IF;
    a_start := a_balance;
    FOR i IN 1 .. n LOOP
        -- not locked (retry), a key used before, or the same key earlier in this batch
        CONTINUE WHEN s_lock[i] IS NULL OR s_id[i] IS NOT NULL OR s_first[i] <> i;
        v_from := array_position(a_id, p_from[i]);
        v_to := array_position(a_id, p_to[i]);
        o_id[i] := nextval('ledger_transfer_id_seq');
        IF a_limit[v_from] IS NOT NULL AND a_balance[v_from] - p_amount[i] < -a_limit[v_from] THEN
            o_reason[i] := 'over the limit: ' || p_from_label[i] || ' may not go below '
                || dualpower_amount(-a_limit[v_from], p_decimals[i]) || ' ' || p_code[i];
        ELSIF a_ceiling[v_to] IS NOT NULL AND a_balance[v_to] + p_amount[i] > a_ceiling[v_to] THEN
            o_reason[i] := 'over the ceiling: ' || p_to_label[i] || ' may not hold more than '
                || dualpower_amount(a_ceiling[v_to], p_decimals[i]) || ' ' || p_code[i];
        ELSE
            a_balance[v_from] := a_balance[v_from] - p_amount[i];
            a_balance[v_to] := a_balance[v_to] + p_amount[i];
            o_from_after[i] := a_balance[v_from];
            o_to_after[i] := a_balance[v_to];
            v_head := s_lock[i];
            o_prev[i] := h_hash[v_head];
            h_seq[v_head] := h_seq[v_head] + 1;
            o_seq[i] := h_seq[v_head];
            h_hash[v_head] := encode(sha256(convert_to(p_before[i] || p_payload[i] || ',"transfer":'
                || o_id[i] || '},"prev_hash":"' || o_prev[i] || v_after || o_seq[i] || '}',
                'UTF8')), 'hex');
            o_hash[i] := h_hash[v_head];
        END IF;
    END LOOP;
    -- All the writes and the answers in one statement: the transfers with the two sides
    -- of the applied ones (their entries, read through the ledger_entry view), the journal
    -- entries and the balances. An account is written once, and only if its balance moved.
    WITH transfers AS (
        INSERT INTO ledger_transfer (
            id, body_id, currency_id, kind, from_account_id, to_account_id, amount, memo,
            reverses_id, status, reason, key_owner, client_key, request_digest,
            created_by_id, decision, dispute_until, created_at, settled_at,
            from_balance_after, to_balance_after)
        SELECT u.id, u.body, u.currency, u.kind, u.source, u.target, u.amount, u.memo, NULL,
               CASE WHEN u.reason IS NULL THEN 'applied' ELSE 'refused' END,
               coalesce(u.reason, ''), u.owner, u.key, u.digest, u.by, u.decision, NULL, v_at, v_at,
               u.source_after, u.target_after
        FROM unnest(o_id, p_body, p_currency, p_kind, p_from, p_to, p_amount, p_memo,
                    o_reason, p_owner, p_key, p_digest, p_by, p_decision, o_from_after,
                    o_to_after)
            AS u(id, body, currency, kind, source, target, amount, memo, reason, owner, key,
                 digest, by, decision, source_after, target_after)
        WHERE u.id IS NOT NULL
    ), journal AS (
        INSERT INTO bodies_journalentry (body_id, seq, kind, payload, recorded_at, prev_hash,
                                         hash)
        SELECT u.body, u.seq, 'ledger.transfer_applied',
               (u.payload || ',"transfer":' || u.id || '}')::jsonb, v_at, u.prev, u.hash
        FROM unnest(o_id, p_body, o_seq, p_payload, o_prev, o_hash)
            AS u(id, body, seq, payload, prev, hash)
        WHERE u.seq IS NOT NULL
    ), balances AS (
        UPDATE ledger_account a SET balance = u.balance
        FROM unnest(a_id, a_balance, a_start) AS u(id, balance, start)
        WHERE a.id = u.id AND u.balance <> u.start
    )
    SELECT jsonb_agg(CASE
            WHEN s_lock[g.k] IS NULL THEN jsonb_build_object('retry', true)
            WHEN s_id[g.k] IS NOT NULL
                THEN jsonb_build_object('id', s_id[g.k], 'replay', true, 'digest', s_digest[g.k])
            WHEN o_id[g.k] IS NULL THEN jsonb_build_object(
                'id', o_id[s_first[g.k]], 'replay', true, 'digest', p_digest[s_first[g.k]])
            ELSE jsonb_build_object('id', o_id[g.k], 'applied', o_reason[g.k] IS NULL,
                                    'reason', coalesce(o_reason[g.k], ''),
                                    'from_after', o_from_after[g.k],
                                    'to_after', o_to_after[g.k],
                                    'at', v_at_text)
        END ORDER BY g.k)
        INTO answers
        FROM generate_series(1, n) AS g(k);
    RETURN coalesce(answers, '[]');
END;
$$;
"""


def backward_text() -> str:
    """0004's function, restored by the reverse migration (its module name starts with a
    digit: no ``import`` statement can name it)."""
    previous = importlib.import_module("dualpower.ledger.migrations.0004_leaner_payment_function")
    return str(previous.FORWARD)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS dualpower_ledger_pay(jsonb)")
        schema_editor.execute("DROP FUNCTION IF EXISTS dualpower_isoformat(timestamptz)")
        schema_editor.execute(backward_text())


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_entries_stored_on_the_transfer")]
    operations = [migrations.RunPython(forward, backward)]
