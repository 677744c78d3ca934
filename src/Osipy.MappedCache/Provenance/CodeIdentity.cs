using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Osipy.MappedCache.Provenance;

/// <summary>
/// The code identity of a .NET method: its IL read instruction by instruction, with every metadata
/// token written as what it names, and the identities of the methods of the same assembly it
/// calls, followed transitively (each a <c>helper</c> component of a provenance key).
/// </summary>
/// <remarks>
/// <para>What a method's identity holds (<see cref="MethodText"/>): its signature's types, its locals'
/// types, each instruction's opcode and operand, and its exception clauses. A token operand is
/// written as what it resolves to: a method or field as its declaring type's full name, name and
/// signature; a type by its full name (generic arguments by name, never an assembly version); a
/// string literal by its text. So an edit elsewhere in the assembly, which renumbers tokens, does
/// not change it; comments and blank lines never reach IL; a changed constant, call, branch or
/// local type does. The maximum stack depth is left out: the compiler derives it from the IL.</para>
/// <para>What it does not see: the bodies of methods of other assemblies (a NuGet package's update
/// needs a <c>Version</c>), static field initialisers (a <c>static readonly</c> table; <c>const</c>
/// values are inlined into IL and are seen), virtual calls' overrides (the called slot is seen,
/// not the override that runs), and reflection. Debug and Release builds of the same source
/// differ (Debug keeps nops and locals the optimiser removes), so do their keys.</para>
/// <para>Cached per method (a second key for the same method reads no IL); thread-safe; the cache
/// holds methods weakly, so a collectible assembly can still unload.</para>
/// </remarks>
internal sealed class CodeIdentity
{
    private const string Trimming = "Reads method bodies and resolves their metadata tokens, which trimming changes; not supported under NativeAOT.";

    private static readonly ConditionalWeakTable<MethodBase, MethodText> s_texts = [];
    private static readonly ConditionalWeakTable<MethodBase, CodeIdentity> s_identities = [];
    private static int s_walks;

    // The last function name's components; a record swapped whole, so readers never see half of one.
    private NamedComponents? _components;

    private CodeIdentity(string name, MethodText own, IReadOnlyList<(string Name, MethodText Text)> helpers)
    {
        Name = name;
        Own = own;
        Helpers = helpers;
    }

    /// <summary>The method's readable name: its declaring type's name and its own (<c>Fits.FitT1</c>).</summary>
    public string Name { get; }

    /// <summary>The method's own identity.</summary>
    public MethodText Own { get; }

    /// <summary>Each method of the same assembly it calls, directly or through others, by name, in name order.</summary>
    public IReadOnlyList<(string Name, MethodText Text)> Helpers { get; }

    /// <summary>
    /// The key components of this identity for <paramref name="function"/>: <c>code F</c> and one
    /// <c>helper H</c> per helper, with digests and texts computed once per function name.
    /// </summary>
    public IReadOnlyList<(string Name, string Digest, string Text)> Components(string function)
    {
        NamedComponents? known = _components;
        if (known is not null && known.Function == function)
        {
            return known.Components;
        }

        var components = new List<(string Name, string Digest, string Text)>(Helpers.Count + 1)
        {
            ($"code {function}", ProvenanceEncoding.Sha256Hex(Own.Bytes), $"{Name}, {Own.IlLength} bytes of IL"),
        };
        foreach ((string name, MethodText text) in Helpers)
        {
            components.Add(($"helper {name}", ProvenanceEncoding.Sha256Hex(text.Bytes), $"{name}, {text.IlLength} bytes of IL"));
        }

        _components = new NamedComponents(function, components);
        return components;
    }

    /// <summary>How many method bodies have been read so far (a test seam: a cached identity reads none).</summary>
    internal static int Walks => Volatile.Read(ref s_walks);

    /// <summary>The identity of <paramref name="method"/>, computed once per method.</summary>
    /// <exception cref="ArgumentException">The method has no IL body (abstract, extern, or a dynamic method).</exception>
    [RequiresUnreferencedCode(Trimming)]
    public static CodeIdentity Of(MethodBase method)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (s_identities.TryGetValue(method, out CodeIdentity? known))
        {
            return known;
        }

        MethodText own = TextOf(method) ?? throw new ArgumentException(
            $"{Describe(method)} has no IL body to identify (abstract, extern or dynamic): give the key a Version instead.", nameof(method));
        var seen = new HashSet<MethodBase> { method };
        var pending = new Queue<MethodBase>(own.Callees);
        var helpers = new List<(MethodBase Method, MethodText Text)>();
        while (pending.TryDequeue(out MethodBase? callee))
        {
            if (!seen.Add(callee) || TextOf(callee) is not { } text)
            {
                continue;
            }

            helpers.Add((callee, text));
            foreach (MethodBase next in text.Callees)
            {
                pending.Enqueue(next);
            }
        }

        var identity = new CodeIdentity(Describe(method), own, Named(helpers));
        s_identities.AddOrUpdate(method, identity);
        return identity;
    }

    /// <summary>The name a method is shown by: <c>Type.Method</c>, nested types joined by dots.</summary>
    public static string Describe(MethodBase method) => $"{TypeName(method.DeclaringType)}.{method.Name}";

    /// <summary>Helpers by their short names; overloads that would share one name get their parameter types.</summary>
    private static List<(string Name, MethodText Text)> Named(List<(MethodBase Method, MethodText Text)> helpers)
    {
        var named = new List<(string Name, MethodText Text)>(helpers.Count);
        foreach (var group in helpers.GroupBy(h => Describe(h.Method), StringComparer.Ordinal))
        {
            bool overloaded = group.Count() > 1;
            foreach ((MethodBase method, MethodText text) in group)
            {
                string name = overloaded ? $"{group.Key}({string.Join(", ", method.GetParameters().Select(p => MethodText.TypeText(p.ParameterType)))})" : group.Key;
                named.Add((name, text));
            }
        }

        named.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return named;
    }

    [RequiresUnreferencedCode(Trimming)]
    private static MethodText? TextOf(MethodBase method)
    {
        if (s_texts.TryGetValue(method, out MethodText? known))
        {
            return known;
        }

        if (method.GetMethodBody() is not { } body || body.GetILAsByteArray() is not { } il)
        {
            return null;
        }

        Interlocked.Increment(ref s_walks);
        MethodText text = MethodText.Read(method, body, il);
        s_texts.AddOrUpdate(method, text);
        return text;
    }

    private static string TypeName(Type? type)
    {
        if (type is null)
        {
            return "<module>";
        }

        string name = type.IsGenericType ? type.Name[..(type.Name.IndexOf('`', StringComparison.Ordinal) is int tick and >= 0 ? tick : type.Name.Length)] : type.Name;
        return type.IsNested ? $"{TypeName(type.DeclaringType)}.{name}" : name;
    }

    private sealed record NamedComponents(string Function, IReadOnlyList<(string Name, string Digest, string Text)> Components);
}
