namespace Storage.Queue;

public sealed class QueueOptions
{
    public const string SectionName = "Queue";

    /// <summary>How long a received, unacknowledged message stays invisible before it is delivered again.</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Deliveries after which a message is moved to the dead letters.</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>The consumer group every worker of a stream joins (Redis Streams).</summary>
    public string ConsumerGroup { get; set; } = "workers";
}
