using TestInfrastructure;

namespace GatewayPeers;

/// <summary>Runs a gnuplot script; a report without its plot is still a report, so a missing gnuplot is said, not thrown.</summary>
internal static class Gnuplot
{
    public static async Task<bool> TryRunAsync(string script)
    {
        try
        {
            await using var gnuplot = ExternalProcess.Start("gnuplot", [script]);
            var exit = await gnuplot.WaitForExitAsync(TimeSpan.FromSeconds(60));
            if (exit != 0)
            {
                await Console.Error.WriteLineAsync("gnuplot failed:\n" + gnuplot.Output);
                return false;
            }

            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            await Console.Error.WriteLineAsync("gnuplot is not installed: the report has no plot.");
            return false;
        }
    }
}
