[assembly: AssemblyFixture(typeof(RedisServer))]
[assembly: AssemblyFixture(typeof(PostgresServer))]
