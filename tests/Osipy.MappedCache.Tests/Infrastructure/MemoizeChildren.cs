namespace Osipy.MappedCache.Tests.Infrastructure;

/// <summary>
/// The TestChild's "memoize" processes (tests/Osipy.MappedCache.TestChild/Memoization.cs): started
/// together, released at once so that they ask for the key at the same moment, and read.
/// </summary>
public static class MemoizeChildren
{
    /// <summary>Waits until every child is ready, releases them all, and returns each one's "result" line.</summary>
    public static List<string> AskAtOnce(IReadOnlyList<ChildProcess> children)
    {
        try
        {
            foreach (ChildProcess child in children)
            {
                child.WaitForLine("ready");
            }

            foreach (ChildProcess child in children)
            {
                child.Send("go");
            }

            return [.. children.Select(c => c.WaitForLine("result"))];
        }
        finally
        {
            foreach (ChildProcess child in children)
            {
                child.Dispose();
            }
        }
    }

    /// <summary>Runs one more child to its end and returns its "explain" line.</summary>
    public static string ExplainThenCompute(ChildProcess child)
    {
        using (child)
        {
            child.WaitForLine("ready");
            child.Send("go");
            string explained = child.WaitForLine("explain");
            child.WaitForLine("result");
            return explained;
        }
    }
}
