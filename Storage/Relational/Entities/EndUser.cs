namespace Storage.Relational.Entities;

/// <summary>
/// A LiteLLM end user (customer): whoever a call names in its <c>user</c> field. Created by <c>/customer/new</c>,
/// or on its first spend so that spend is tracked.
/// </summary>
public sealed class EndUser : BudgetedEntity
{
    public required string UserId { get; init; }

    public string? Alias { get; set; }

    public bool Blocked { get; set; }
}
