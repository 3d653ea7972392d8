-- When a token was last used (to the hour), for `naermiljo token list` (issue 21).
ALTER TABLE api_tokens ADD COLUMN last_used_ms INTEGER;
