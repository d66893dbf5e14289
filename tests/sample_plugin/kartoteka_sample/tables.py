from piccolo.columns import JSONB, Boolean, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class SampleNote(Table, tablename="sample_note"):
    text = Text()
    touched = Boolean(default=False)
    custom = JSONB(default={})  # custom field values (the sample.note entity)
    created_at = Timestamptz(default=TimestamptzNow())


class SampleRun(Table, tablename="sample_run"):
    """One completed run of the async subscriber (exactly once per event is the promise)."""

    note_id = Integer()
    message_id = Integer(unique=True)
    worker_pid = Integer()


class SampleTick(Table, tablename="sample_tick"):
    schedule = Varchar(length=100)
    ticked_at = Timestamptz(default=TimestamptzNow())
