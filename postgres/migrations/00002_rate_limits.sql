-- +goose Up
-- Rate-limit counts, shared by every instance: per key, the theoretical
-- arrival time of the next event, in microseconds since the Unix epoch
-- (see ratelimit.gcra). UNLOGGED: counts need not survive a crash of the
-- server, and writing them skips the WAL.
CREATE UNLOGGED TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat DOUBLE PRECISION NOT NULL
);

-- rate_limit decides one event of a key, with the database's clock, and
-- counts it if p_count and allowed. The row of the key is locked for the
-- decision, so racing events are counted one by one.
-- +goose StatementBegin
CREATE FUNCTION rate_limit(p_key TEXT, p_period_us BIGINT, p_limit INT, p_count BOOLEAN,
    OUT allowed BOOLEAN, OUT remaining INT, OUT retry_after_us BIGINT, OUT reset_after_us BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    now_us DOUBLE PRECISION := floor(extract(epoch FROM clock_timestamp()) * 1000000);
    interval_us DOUBLE PRECISION := p_period_us::DOUBLE PRECISION / p_limit;
    tat DOUBLE PRECISION;
    new_tat DOUBLE PRECISION;
    diff DOUBLE PRECISION;
BEGIN
    IF p_count THEN
        -- Make sure there is a row to lock: of racing first events, one
        -- inserts and the others wait for it, then find the row.
        INSERT INTO rate_limits (key, tat) VALUES (p_key, 0) ON CONFLICT (key) DO NOTHING;
        SELECT r.tat INTO tat FROM rate_limits r WHERE r.key = p_key FOR UPDATE;
    ELSE
        SELECT r.tat INTO tat FROM rate_limits r WHERE r.key = p_key;
    END IF;
    IF tat IS NULL OR tat < now_us THEN
        tat := now_us;
    END IF;
    new_tat := tat + interval_us;
    diff := now_us - (new_tat - p_period_us);
    IF diff < 0 THEN
        allowed := false;
        remaining := 0;
        retry_after_us := ceil(-diff);
        reset_after_us := ceil(tat - now_us);
        RETURN;
    END IF;
    IF p_count THEN
        UPDATE rate_limits SET tat = new_tat WHERE key = p_key;
    END IF;
    allowed := true;
    remaining := floor(diff / interval_us);
    retry_after_us := 0;
    reset_after_us := ceil(new_tat - now_us);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION rate_limit(TEXT, BIGINT, INT, BOOLEAN);
DROP TABLE rate_limits;
