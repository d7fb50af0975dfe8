namespace Storage.Counters;

/// <summary>
/// Lua run atomically inside Redis. Time comes from the Redis server (TIME), so replicas with skewed clocks
/// still share one window.
/// </summary>
internal static class RedisCounterScripts
{
    /// <summary>
    /// KEYS[1] = log (sorted set, score = ms, member = "seq:amount"), KEYS[2] = running total, KEYS[3] = sequence.
    /// ARGV = amount, limit, window ms. Returns {admitted 0|1, total, retry-after ms}.
    /// </summary>
    public const string TryAddToWindow = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local amount, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
        local total = tonumber(redis.call('GET', KEYS[2]) or '0')
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - window)
        for _, member in ipairs(expired) do
          total = total - tonumber(string.match(member, ':(%-?%d+)$'))
        end
        if #expired > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        end
        if total + amount > limit then
          redis.call('SET', KEYS[2], total, 'PX', window)
          local retry = window
          if amount <= limit then
            local remaining = total
            local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
            for i = 1, #entries, 2 do
              remaining = remaining - tonumber(string.match(entries[i], ':(%-?%d+)$'))
              if remaining + amount <= limit then
                retry = tonumber(entries[i + 1]) + window - now
                break
              end
            end
          end
          return {0, total, retry}
        end
        local seq = redis.call('INCR', KEYS[3])
        redis.call('ZADD', KEYS[1], now, seq .. ':' .. amount)
        total = total + amount
        redis.call('SET', KEYS[2], total, 'PX', window)
        redis.call('PEXPIRE', KEYS[1], window)
        redis.call('PEXPIRE', KEYS[3], window)
        return {1, total, 0}
        """;

    /// <summary>KEYS[1] = value; ARGV = delta, ttl ms. Returns the new value.</summary>
    public const string Add = """
        local value = redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return value
        """;

    /// <summary>KEYS[1] = value; ARGV = amount, limit, ttl ms. Returns {granted 0|1, total}.</summary>
    public const string TryReserve = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        local amount, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
        if current + amount > limit then
          return {0, current}
        end
        local value = redis.call('INCRBY', KEYS[1], amount)
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return {1, value}
        """;
    /// <summary>Adds an entry to the window whose three keys start at KEYS[k + 1] (log, total, sequence); the batch scripts share it.</summary>
    private const string AddToWindowFunction = """
        local function add_to_window(k, now, amount, period)
          if amount ~= 0 then
            local seq = redis.call('INCR', KEYS[k + 3])
            redis.call('ZADD', KEYS[k + 1], now, seq .. ':' .. amount)
            redis.call('INCRBY', KEYS[k + 2], amount)
            redis.call('PEXPIRE', KEYS[k + 1], period)
            redis.call('PEXPIRE', KEYS[k + 2], period)
            redis.call('PEXPIRE', KEYS[k + 3], period)
          end
        end

        """;

    /// <summary>
    /// Three KEYS per charge (a window's log, total and sequence; a value's key three times); five ARGV per charge:
    /// kind (0 window, 1 value), amount, limit, period ms, seed. Checks every charge first and applies them only when
    /// all fit. Returns {refused index or -1, that counter's total, retry-after ms}.
    /// </summary>
    public const string TryChargeAll = AddToWindowFunction + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local n = #ARGV / 5
        local function amount_of(member)
          return tonumber(string.match(member, ':(%-?%d+)$'))
        end
        for i = 1, n do
          local kind, amount, limit = tonumber(ARGV[i * 5 - 4]), tonumber(ARGV[i * 5 - 3]), tonumber(ARGV[i * 5 - 2])
          local period, seed = tonumber(ARGV[i * 5 - 1]), tonumber(ARGV[i * 5])
          local k = (i - 1) * 3
          if kind == 0 then
            local log, totalKey = KEYS[k + 1], KEYS[k + 2]
            local total = tonumber(redis.call('GET', totalKey) or '0')
            local expired = redis.call('ZRANGEBYSCORE', log, '-inf', now - period)
            for _, member in ipairs(expired) do
              total = total - amount_of(member)
            end
            if #expired > 0 then
              redis.call('ZREMRANGEBYSCORE', log, '-inf', now - period)
              redis.call('SET', totalKey, total, 'PX', period)
            end
            if total + amount > limit then
              local retry = period
              if amount <= limit then
                local remaining = total
                local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
                for j = 1, #entries, 2 do
                  remaining = remaining - amount_of(entries[j])
                  if remaining + amount <= limit then
                    retry = tonumber(entries[j + 1]) + period - now
                    break
                  end
                end
              end
              return {i - 1, total, retry}
            end
          else
            local current = tonumber(redis.call('GET', KEYS[k + 1]) or seed)
            if current + amount > limit then
              return {i - 1, current, 0}
            end
          end
        end
        for i = 1, n do
          local kind, amount = tonumber(ARGV[i * 5 - 4]), tonumber(ARGV[i * 5 - 3])
          local period, seed = tonumber(ARGV[i * 5 - 1]), ARGV[i * 5]
          local k = (i - 1) * 3
          if kind == 0 then
            add_to_window(k, now, amount, period)
          else
            redis.call('SET', KEYS[k + 1], seed, 'NX')
            redis.call('INCRBY', KEYS[k + 1], amount)
            redis.call('PEXPIRE', KEYS[k + 1], period)
          end
        end
        return {-1, 0, 0}
        """;

    /// <summary>KEYS and ARGV as for <see cref="TryChargeAll"/>; adds every amount without a limit (values only where they exist).</summary>
    public const string AdjustAll = AddToWindowFunction + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for i = 1, #ARGV / 5 do
          local kind, amount, period = tonumber(ARGV[i * 5 - 4]), tonumber(ARGV[i * 5 - 3]), tonumber(ARGV[i * 5 - 1])
          local k = (i - 1) * 3
          if kind == 0 then
            add_to_window(k, now, amount, period)
          elseif redis.call('EXISTS', KEYS[k + 1]) == 1 then
            redis.call('INCRBY', KEYS[k + 1], amount)
            redis.call('PEXPIRE', KEYS[k + 1], period)
          end
        end
        return 1
        """;
}
