[assembly: AssemblyFixture(typeof(RedisServer))]
