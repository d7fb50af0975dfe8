using TestInfrastructure;

/// <summary>Waits for a started server process to listen on its port.</summary>
internal static class ListeningProcess
{
    /// <summary>Returns once <paramref name="port"/> accepts connections; disposes the process and throws with its output if it exits or takes longer than a minute.</summary>
    public static async Task WaitAsync(ExternalProcess process, int port, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await FreeTcpPort.AcceptsConnectionsAsync(port))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = process.Output;
                await process.DisposeAsync();
                throw new InvalidOperationException($"The {what} did not start:\n{output}");
            }

            await Task.Delay(100);
        }
    }
}
