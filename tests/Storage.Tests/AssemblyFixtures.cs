[assembly: AssemblyFixture(typeof(PostgresServer))]
[assembly: AssemblyFixture(typeof(EmbeddedTraceStore))]
[assembly: AssemblyFixture(typeof(TraceStoreServerProcess))]
