"""Database guards for the ledger.

- Each journal transaction's entries must sum to zero and number at least two. Checked by
  deferred constraint triggers, i.e. at COMMIT, so a transaction's entries can be inserted
  one by one inside the posting transaction.
- Journal transactions and entries are append-only: UPDATE and DELETE are refused.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION settlement_check_transaction_balanced() RETURNS trigger AS $$
DECLARE
    txn_id bigint;
    total numeric;
    lines integer;
BEGIN
    IF TG_TABLE_NAME = 'settlement_journalentry' THEN
        txn_id := NEW.transaction_id;
    ELSE
        txn_id := NEW.id;
    END IF;
    SELECT COALESCE(SUM(amount), 0), COUNT(*) INTO total, lines
      FROM settlement_journalentry WHERE transaction_id = txn_id;
    IF total <> 0 OR lines < 2 THEN
        RAISE EXCEPTION 'journal transaction % does not balance (sum %, % entries)', txn_id, total, lines
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER settlement_entries_balanced
    AFTER INSERT ON settlement_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION settlement_check_transaction_balanced();

CREATE CONSTRAINT TRIGGER settlement_transaction_has_entries
    AFTER INSERT ON settlement_journaltransaction
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION settlement_check_transaction_balanced();

CREATE FUNCTION settlement_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only; post a reversing transaction instead', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER settlement_journalentry_append_only
    BEFORE UPDATE OR DELETE ON settlement_journalentry
    FOR EACH ROW EXECUTE FUNCTION settlement_refuse_change();

CREATE TRIGGER settlement_journaltransaction_append_only
    BEFORE UPDATE OR DELETE ON settlement_journaltransaction
    FOR EACH ROW EXECUTE FUNCTION settlement_refuse_change();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS settlement_journaltransaction_append_only ON settlement_journaltransaction;
DROP TRIGGER IF EXISTS settlement_journalentry_append_only ON settlement_journalentry;
DROP FUNCTION IF EXISTS settlement_refuse_change();
DROP TRIGGER IF EXISTS settlement_transaction_has_entries ON settlement_journaltransaction;
DROP TRIGGER IF EXISTS settlement_entries_balanced ON settlement_journalentry;
DROP FUNCTION IF EXISTS settlement_check_transaction_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
