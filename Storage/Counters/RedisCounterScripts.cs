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
    /// <summary>
    /// Adds an entry to the window whose three keys start at KEYS[k + 1] (log, total, sequence); the batch scripts
    /// share it. Expiry is only ever extended: a lease's entry (dated at the lease's end) may outlive the period.
    /// </summary>
    internal const string AddToWindowFunction = """
        local function extend(key, ms)
          if redis.call('PTTL', key) < ms then
            redis.call('PEXPIRE', key, ms)
          end
        end
        local function add_to_window(k, now, amount, period)
          if amount ~= 0 then
            local seq = redis.call('INCR', KEYS[k + 3])
            redis.call('ZADD', KEYS[k + 1], now, seq .. ':' .. amount)
            redis.call('INCRBY', KEYS[k + 2], amount)
            extend(KEYS[k + 1], period)
            extend(KEYS[k + 2], period)
            extend(KEYS[k + 3], period)
          end
        end

        """;

    /// <summary>
    /// What the lease scripts share. Four KEYS per counter (a window's log, total and sequence, or a value's key three
    /// times; then the counter's lease registry, a hash of lease id → expiry ms); ARGV[1] = lease lifetime ms, then
    /// seven per counter: kind (0 window, 1 value), amount, limit, period ms, seed, extra asked, lease id.
    /// </summary>
    internal const string LeaseFunctions = AddToWindowFunction + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lifetime = tonumber(ARGV[1])
        local n = (#ARGV - 1) / 7
        local function amount_of(member)
          return tonumber(string.match(member, ':(%-?%d+)$'))
        end
        local function arg(i, field)
          return ARGV[1 + (i - 1) * 7 + field]
        end
        -- A window's total once the entries that left it are dropped.
        local function window_total(k, period)
          local log, totalKey = KEYS[k + 1], KEYS[k + 2]
          local total = tonumber(redis.call('GET', totalKey) or '0')
          local expired = redis.call('ZRANGEBYSCORE', log, '-inf', now - period)
          for _, member in ipairs(expired) do
            total = total - amount_of(member)
          end
          if #expired > 0 then
            redis.call('ZREMRANGEBYSCORE', log, '-inf', now - period)
            redis.call('SET', totalKey, total, 'KEEPTTL')
          end
          return total
        end
        local function current(i)
          local kind, period, seed = tonumber(arg(i, 1)), tonumber(arg(i, 4)), tonumber(arg(i, 5))
          if kind == 0 then
            return window_total((i - 1) * 4, period)
          end
          return tonumber(redis.call('GET', KEYS[(i - 1) * 4 + 1]) or seed)
        end
        -- The extra granted to a lease sized in units of a call's amount: only while plenty of room remains (a
        -- sixteenth of it at most, and at least one more unit); a check-only window (unit 0) gets a time lease (1)
        -- while it is at most three quarters full.
        local function lease_size(unit, extra, remaining, limit)
          if extra <= 0 then
            return 0
          end
          if unit == 0 then
            if remaining * 4 > limit then
              return 1
            end
            return 0
          end
          local room = math.floor(remaining / 16)
          if room >= unit then
            return math.min(extra, room)
          end
          return 0
        end
        -- Adds a call's amount and a lease's granted units (check-only leases hold none) to counter i, a window's lease
        -- as one entry dated at the lease's end so that no unit used later leaves the window early. Returns that entry.
        local function charge(i, amount, unit, granted)
          local kind, period, seed, id = tonumber(arg(i, 1)), tonumber(arg(i, 4)), arg(i, 5), arg(i, 7)
          local k = (i - 1) * 4
          local leased = 0
          if unit > 0 then
            leased = granted
          end
          local entry = 0
          if kind == 0 then
            add_to_window(k, now, amount, period)
            if leased > 0 then
              entry = redis.call('INCR', KEYS[k + 3])
              redis.call('ZADD', KEYS[k + 1], now + lifetime, entry .. ':' .. string.format('%d', leased))
              redis.call('INCRBY', KEYS[k + 2], string.format('%d', leased))
              for j = 1, 3 do
                extend(KEYS[k + j], period + lifetime)
              end
            end
          else
            redis.call('SET', KEYS[k + 1], seed, 'NX')
            redis.call('INCRBY', KEYS[k + 1], string.format('%d', amount + leased))
            redis.call('PEXPIRE', KEYS[k + 1], period)
          end
          if leased > 0 then
            redis.call('HSET', KEYS[k + 4], id, now + lifetime)
            extend(KEYS[k + 4], lifetime + 2000)
          end
          return entry
        end

        """;

    /// <summary>
    /// KEYS and ARGV as <see cref="LeaseFunctions"/> lays them out, a charge per counter. Checks every charge first and
    /// applies them only when all fit; then grants each asked extra (in units of the charge's amount) as
    /// <c>lease_size</c> allows. Returns {refused index or -1, that counter's total, retry-after ms, ms the refused
    /// counter is still leased (-1: not leased)} followed, when charged, by {granted, entry} per charge.
    /// </summary>
    public const string TryChargeAll = LeaseFunctions + """
        -- How long leases stay registered on a counter; a registration a second past its expiry is a dead replica's.
        local function leased_for(registry)
          local longest = -1
          local leases = redis.call('HGETALL', registry)
          for j = 1, #leases, 2 do
            local left = tonumber(leases[j + 1]) - now
            if left < -1000 then
              redis.call('HDEL', registry, leases[j])
            else
              longest = math.max(longest, left, 0)
            end
          end
          return longest
        end
        local totals = {}
        for i = 1, n do
          local kind, amount, limit, period = tonumber(arg(i, 1)), tonumber(arg(i, 2)), tonumber(arg(i, 3)), tonumber(arg(i, 4))
          local k = (i - 1) * 4
          local total = current(i)
          if total + amount > limit then
            local retry = 0
            if kind == 0 then
              retry = period
              if amount <= limit then
                local remaining = total
                local entries = redis.call('ZRANGE', KEYS[k + 1], 0, -1, 'WITHSCORES')
                for j = 1, #entries, 2 do
                  remaining = remaining - amount_of(entries[j])
                  if remaining + amount <= limit then
                    retry = math.max(tonumber(entries[j + 1]) + period - now, 0)
                    break
                  end
                end
              end
            end
            return {i - 1, total, retry, leased_for(KEYS[k + 4])}
          end
          totals[i] = total
        end
        local result = {-1, 0, 0, -1}
        for i = 1, n do
          local amount, limit = tonumber(arg(i, 2)), tonumber(arg(i, 3))
          local granted = lease_size(amount, tonumber(arg(i, 6)), limit - totals[i] - amount, limit)
          result[#result + 1] = granted
          result[#result + 1] = charge(i, amount, amount, granted)
        end
        return result
        """;

    /// <summary>
    /// KEYS and ARGV as <see cref="LeaseFunctions"/> lays them out, with each counter's amount the unit its lease is
    /// sized in and nothing charged for a call: a lease renewed ahead of need. Grants each asked extra as
    /// <c>lease_size</c> allows, on each counter alone. Returns {granted, entry} per counter.
    /// </summary>
    public const string LeaseAll = LeaseFunctions + """
        local result = {}
        for i = 1, n do
          local unit, limit = tonumber(arg(i, 2)), tonumber(arg(i, 3))
          local granted = lease_size(unit, tonumber(arg(i, 6)), limit - current(i), limit)
          local entry = 0
          if granted > 0 then
            entry = charge(i, 0, unit, granted)
          end
          result[#result + 1] = granted
          result[#result + 1] = entry
        end
        return result
        """;

    /// <summary>
    /// KEYS as for <see cref="TryChargeAll"/>, five ARGV per lease: kind, window entry, granted, unused, lease id. Gives
    /// back the unused part (a window's entry keeps the used part at its own time) and ends the lease's registration.
    /// </summary>
    public const string ReturnLeases = """
        for i = 1, #ARGV / 5 do
          local kind, entry, granted, unused, id = tonumber(ARGV[i * 5 - 4]), ARGV[i * 5 - 3], ARGV[i * 5 - 2], tonumber(ARGV[i * 5 - 1]), ARGV[i * 5]
          local k = (i - 1) * 4
          if unused > 0 and kind == 0 then
            local member = entry .. ':' .. granted
            local score = redis.call('ZSCORE', KEYS[k + 1], member)
            if score then
              redis.call('ZREM', KEYS[k + 1], member)
              if tonumber(granted) > unused then
                redis.call('ZADD', KEYS[k + 1], score, entry .. ':' .. string.format('%d', tonumber(granted) - unused))
              end
              if redis.call('EXISTS', KEYS[k + 2]) == 1 then
                redis.call('DECRBY', KEYS[k + 2], unused)
              end
            end
          elseif unused > 0 and redis.call('EXISTS', KEYS[k + 1]) == 1 then
            redis.call('DECRBY', KEYS[k + 1], unused)
          end
          redis.call('HDEL', KEYS[k + 4], id)
        end
        return 1
        """;

    /// <summary>KEYS as for <see cref="TryChargeAll"/>, five ARGV per charge (its first five); adds every amount without a limit (values only where they exist).</summary>
    public const string AdjustAll = AddToWindowFunction + """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for i = 1, #ARGV / 5 do
          local kind, amount, period = tonumber(ARGV[i * 5 - 4]), tonumber(ARGV[i * 5 - 3]), tonumber(ARGV[i * 5 - 1])
          local k = (i - 1) * 4
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
