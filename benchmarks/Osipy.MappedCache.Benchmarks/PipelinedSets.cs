using StackExchange.Redis;

namespace Osipy.MappedCache.Benchmarks;

/// <summary>The remote put's floor: SETs of the chunks with at most <c>window</c> in flight, as the tier uploads them.</summary>
internal static class PipelinedSets
{
    public static void SetAll(IDatabase db, string keyPrefix, ReadOnlyMemory<byte>[] chunks, int window)
    {
        var inFlight = new List<Task>(window);
        for (int i = 0; i < chunks.Length; i++)
        {
            inFlight.Add(db.StringSetAsync($"{keyPrefix}:floor:{i}", chunks[i]));
            if (inFlight.Count == window)
            {
                Task.WaitAll([.. inFlight]);
                inFlight.Clear();
            }
        }

        Task.WaitAll([.. inFlight]);
    }
}
