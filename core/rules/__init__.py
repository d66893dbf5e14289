"""Process rules (MISSION F7): when an event happens and its conditions hold, run actions —
e-mail the client or the owner, create a task, set a field, call an outbound webhook."""
