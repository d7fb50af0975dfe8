using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gateway.Governance;

/// <summary>Tells a relational store that cannot be reached (answer 503, keep serving from cache) from a query that is wrong (a bug).</summary>
internal static class RelationalFailures
{
    public static bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres:
                    // Class 08 connection exceptions; 57P0x: the server is shutting down or not yet accepting connections.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P0", StringComparison.Ordinal);
                case NpgsqlException:
                case SocketException:
                case TimeoutException:
                    return true;
                case SqliteException sqlite when sqlite.SqliteErrorCode is 5 or 6 or 14:
                    // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN.
                    return true;
            }
        }

        return false;
    }
}
