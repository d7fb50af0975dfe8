namespace Storage.TraceStore.Chdb;

/// <summary>A pooled connection lent to one caller until disposed.</summary>
internal sealed class ChdbLease(ChdbEngine engine, ChdbConnection connection) : IDisposable
{
    private bool _returned;

    public ChdbConnection Connection => _returned ? throw new ObjectDisposedException(nameof(ChdbLease)) : connection;

    public void Dispose()
    {
        if (!_returned)
        {
            _returned = true;
            engine.Return(connection);
        }
    }
}
