using Storage.Counters;

namespace Gateway.Governance;

/// <summary>What the governance checks decided for one admitted call: who it counts against and what it charged, to settle when it ends.</summary>
internal sealed class CallGovernance
{
    /// <summary>The virtual key's token, when the caller used one.</summary>
    public string? KeyToken { get; init; }

    public string? KeyAlias { get; init; }

    public string? TeamId { get; init; }

    /// <summary>The internal user the call counts against.</summary>
    public string? UserId { get; init; }

    /// <summary>The end user the call names in its <c>user</c> field.</summary>
    public string? EndUser { get; init; }

    /// <summary>The limits charged, one entry per counter charge (the same order).</summary>
    public List<ChargedLimit> Charged { get; } = [];

    /// <summary>The charges as sent to the counters.</summary>
    public IReadOnlyList<CounterCharge> Charges { get; set; } = [];

    /// <summary>True when Redis was unreachable and the charges were counted on this replica only.</summary>
    public bool ChargedLocally { get; set; }

    /// <summary>The cost reserved against every budget, in nano-dollars.</summary>
    public long EstimateNanos { get; set; }
}

/// <summary>One limit of one holder, as charged for a call.</summary>
internal readonly record struct ChargedLimit(LimitHolder Holder, LimitKind Kind, DateTimeOffset? PeriodEnd);
