using Gateway.Governance.Budgets;
using Gateway.Governance.Caching;
using Gateway.Governance.Leases;
using Gateway.Governance.Policies;
using Gateway.Governance.Spend;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Storage.Pricing;

namespace Gateway.Governance;

internal static class GovernanceServiceExtensions
{
    /// <summary>Virtual keys, teams, users, budgets, rate limits and spend: the services behind the checks and the management API.</summary>
    public static IServiceCollection AddGovernance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GovernanceOptions>()
            .BindConfiguration(GovernanceOptions.SectionName)
            .PostConfigure(options => options.KeyRotationGracePeriod ??= configuration["LITELLM_KEY_ROTATION_GRACE_PERIOD"] is { Length: > 0 } grace ? grace : null)
            .Validate(o => o.CacheRefreshInterval > TimeSpan.Zero && o.UnknownEntryCacheTime >= TimeSpan.Zero, "Gateway:Governance cache times must be positive.")
            .Validate(o => o.SpendFlushInterval > TimeSpan.Zero && o.SettlementFlushInterval > TimeSpan.Zero && o.BudgetResetInterval > TimeSpan.Zero
                    && o.RedisRetryInterval > TimeSpan.Zero,
                "Gateway:Governance intervals must be positive.")
            .Validate(o => o.Leases.Lifetime > TimeSpan.Zero && o.Leases.Lifetime <= TimeSpan.FromSeconds(5) && o.Leases.MaxCalls >= 1,
                "Gateway:Governance:Leases:Lifetime must be between 0 and 5 seconds and MaxCalls at least 1.")
            .Validate(o => o.DefaultMaxTokensEstimate >= 0, "Gateway:Governance:DefaultMaxTokensEstimate must not be negative.")
            .Validate(o => o.KeyRotationGracePeriod is null || BudgetDuration.TryParse(o.KeyRotationGracePeriod, out _),
                "LITELLM_KEY_ROTATION_GRACE_PERIOD (Gateway:Governance:KeyRotationGracePeriod) must be a duration like 24h or 2d.")
            .ValidateOnStart();
        services.TryAddSingleton(_ => ModelPriceTable.LoadDefaults());
        // The Entra ID scheme puts its named policies here (it replaces this empty registry).
        services.TryAddSingleton<KeyPolicyRegistry>();
        services.AddGatewayAdministration();
        services.AddSingleton<IGatewayModels, Routing.ServedModels>();
        services.AddSingleton<GovernanceCache>();
        services.AddHostedService(provider => provider.GetRequiredService<GovernanceCache>());
        services.AddSingleton<GovernanceLookup>();
        services.AddSingleton<CallCosts>();
        services.AddSingleton<CounterLeases>();
        services.AddHostedService(provider => provider.GetRequiredService<CounterLeases>());
        services.AddSingleton<GovernanceCounters>();
        services.AddSingleton<CallerResolver>();
        services.AddSingleton<SpendRecorder>();
        services.AddSingleton<GovernanceGate>();
        services.AddSingleton<SpendRollupWriter>();
        // Hosted services stop in reverse order: settlement, then its backlog, then the spend flusher, then the leases
        // (registered above), so what the last calls settled reaches the buffer and the store, and leases go back last.
        services.AddSingleton<SpendFlusher>();
        services.AddHostedService(provider => provider.GetRequiredService<SpendFlusher>());
        services.AddSingleton<SettlementBacklog>();
        services.AddHostedService(provider => provider.GetRequiredService<SettlementBacklog>());
        services.AddSingleton<CallSettlement>();
        services.AddHostedService(provider => provider.GetRequiredService<CallSettlement>());
        services.AddSingleton<BudgetResetter>();
        services.AddHostedService(provider => provider.GetRequiredService<BudgetResetter>());
        return services;
    }
}
