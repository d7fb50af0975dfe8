-- The costs a client gave, kept apart from the computed ones: a later update that brings usage but no cost must
-- not replace them with prices from the table, and the worker only sees what the stored row says.
ALTER TABLE observations ADD COLUMN IF NOT EXISTS provided_cost_details Map(LowCardinality(String), Float64) AFTER cost_details;
