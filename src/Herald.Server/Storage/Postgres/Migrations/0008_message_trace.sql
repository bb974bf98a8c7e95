-- Herald schema, version 8: the W3C traceparent of the span that published a message (NULL outside a trace), so
-- each delivery attempt's span can link to the publish (Diagnostics/HeraldTracing.cs), even after a restart.
ALTER TABLE messages ADD COLUMN trace_parent text NULL;
