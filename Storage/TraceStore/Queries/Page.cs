namespace Storage.TraceStore.Queries;

/// <summary>Langfuse's page/limit pagination: pages from 1, limit default 50, at most 100.</summary>
public readonly record struct Page(int Number, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;

    public int Offset => (Number - 1) * Limit;

    public static (Page Page, string? Error) From(int? page, int? limit)
    {
        var number = page ?? 1;
        var size = limit ?? DefaultLimit;
        if (number < 1)
        {
            return (default, "page must be 1 or more");
        }

        return size is < 1 or > MaxLimit ? (default, $"limit must be between 1 and {MaxLimit}") : (new Page(number, size), null);
    }

    public PageMeta Meta(long totalItems) => new(Number, Limit, totalItems, (int)Math.Ceiling(totalItems / (double)Limit));
}

public sealed record PageMeta(int Page, int Limit, long TotalItems, int TotalPages);

public sealed record Paged<T>(IReadOnlyList<T> Data, PageMeta Meta);
