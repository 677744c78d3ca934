using StackExchange.Redis;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>The GET floor's replies: waited for, counted and returned to the client's pool (also compiled into benchmarks/peers/RemoteDriver).</summary>
internal static class ChunkReplies
{
    /// <summary>Waits for every reply in <paramref name="inFlight"/>, gives each buffer back, empties the list; returns the bytes received.</summary>
    public static long Drain(List<Task<Lease<byte>?>> inFlight)
    {
        long total = 0;
        foreach (Task<Lease<byte>?> task in inFlight)
        {
            using Lease<byte>? chunk = task.GetAwaiter().GetResult();
            total += chunk!.Length;
        }

        inFlight.Clear();
        return total;
    }
}
