using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;

namespace Osipy.MappedCache.Provenance;

/// <summary>
/// One method body as token-free text (see <see cref="CodeIdentity"/>): signature, locals,
/// instructions with their operands resolved to names, exception clauses; and the methods of the
/// same assembly that it calls or takes the address of.
/// </summary>
internal sealed class MethodText
{
    private MethodText(byte[] bytes, int ilLength, IReadOnlyList<MethodBase> callees)
    {
        Bytes = bytes;
        IlLength = ilLength;
        Callees = callees;
    }

    /// <summary>The identity's bytes (UTF-8 text, one instruction a line).</summary>
    public byte[] Bytes { get; }

    /// <summary>Bytes of IL the text was read from.</summary>
    public int IlLength { get; }

    /// <summary>Methods with IL of the same assembly named by call, callvirt, newobj, ldftn, ldvirtftn (or any other method operand), in order of appearance.</summary>
    public IReadOnlyList<MethodBase> Callees { get; }

    [RequiresUnreferencedCode("Resolves metadata tokens, which trimming changes.")]
    public static MethodText Read(MethodBase method, MethodBody body, byte[] il)
    {
        Module module = method.Module;
        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } owner ? owner.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var text = new StringBuilder();
        var callees = new List<MethodBase>();

        text.Append("sig ").Append(method is MethodInfo info ? TypeText(info.ReturnType) : "void").Append(" (");
        text.AppendJoin(", ", method.GetParameters().Select(p => TypeText(p.ParameterType))).Append(")\n");
        text.Append("locals ").AppendJoin(", ", body.LocalVariables.Select(l => (l.IsPinned ? "pinned " : "") + TypeText(l.LocalType))).Append('\n');
        text.Append("init ").Append(body.InitLocals ? '1' : '0').Append('\n');

        int position = 0;
        while (position < il.Length)
        {
            OpCode code = OpCodeTable.Read(il, ref position);
            text.Append(code.Name);
            ReadOnlySpan<byte> operand = il.AsSpan(position);
            switch (code.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.InlineSwitch:
                    int count = BinaryPrimitives.ReadInt32LittleEndian(operand);
                    text.Append(' ').Append(count.ToString(CultureInfo.InvariantCulture));
                    for (int i = 0; i < count; i++)
                    {
                        text.Append(' ').Append(BinaryPrimitives.ReadInt32LittleEndian(operand[(4 + (4 * i))..]).ToString(CultureInfo.InvariantCulture));
                    }

                    position += 4 * count;
                    break;
                case OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok:
                    MemberInfo? member = Resolve(module, BinaryPrimitives.ReadInt32LittleEndian(operand), typeArguments, methodArguments);
                    text.Append(' ').Append(member is null ? "?" : MemberText(member));
                    if (member is MethodBase callee && callee.Module.Assembly == module.Assembly && !callee.IsAbstract)
                    {
                        callees.Add(callee);
                    }

                    break;
                case OperandType.InlineString:
                    string literal = module.ResolveString(BinaryPrimitives.ReadInt32LittleEndian(operand));
                    text.Append(" \"").Append(literal.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                    break;
                case OperandType.InlineSig:
                    text.Append(' ').Append(Convert.ToHexStringLower(module.ResolveSignature(BinaryPrimitives.ReadInt32LittleEndian(operand))));
                    break;
                default:
                    // Numbers and branch offsets: relative, and every instruction keeps its size
                    // when tokens are renumbered, so they are stable as they are.
                    text.Append(' ').Append(Convert.ToHexStringLower(operand[..OpCodeTable.OperandSize(code)]));
                    break;
            }

            position += OpCodeTable.OperandSize(code);
            text.Append('\n');
        }

        foreach (ExceptionHandlingClause clause in body.ExceptionHandlingClauses)
        {
            text.Append("eh ").Append(clause.Flags).Append(' ').Append(clause.TryOffset).Append(' ').Append(clause.TryLength)
                .Append(' ').Append(clause.HandlerOffset).Append(' ').Append(clause.HandlerLength).Append(' ')
                .Append(clause.Flags == ExceptionHandlingClauseOptions.Clause ? TypeText(clause.CatchType!)
                    : clause.Flags == ExceptionHandlingClauseOptions.Filter ? clause.FilterOffset.ToString(CultureInfo.InvariantCulture) : "-")
                .Append('\n');
        }

        return new MethodText(Encoding.UTF8.GetBytes(text.ToString()), il.Length, callees);
    }

    /// <summary>A type by its namespace-qualified name, generic arguments by name: no assembly, no version.</summary>
    public static string TypeText(Type type)
    {
        if (type.IsGenericParameter)
        {
            return (type.DeclaringMethod is null ? "!" : "!!") + type.GenericParameterPosition.ToString(CultureInfo.InvariantCulture);
        }

        if (type.HasElementType)
        {
            string element = TypeText(type.GetElementType()!);
            return type.IsArray ? $"{element}[{new string(',', type.GetArrayRank() - 1)}]" : type.IsByRef ? element + "&" : element + "*";
        }

        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            return $"{TypeText(type.GetGenericTypeDefinition())}<{string.Join(", ", type.GetGenericArguments().Select(TypeText))}>";
        }

        return type.FullName ?? $"{type.Namespace}.{type.Name}";
    }

    private static string MemberText(MemberInfo member) => member switch
    {
        Type type => TypeText(type),
        FieldInfo field => $"{TypeText(field.DeclaringType!)}::{field.Name}:{TypeText(field.FieldType)}",
        MethodBase method => $"{(method.DeclaringType is null ? "<module>" : TypeText(method.DeclaringType))}::{method.Name}"
            + (method.IsGenericMethod ? $"<{string.Join(", ", method.GetGenericArguments().Select(TypeText))}>" : "")
            + $"({string.Join(", ", method.GetParameters().Select(p => TypeText(p.ParameterType)))})"
            + (method is MethodInfo info ? ":" + TypeText(info.ReturnType) : ""),
        _ => member.ToString() ?? member.Name,
    };

    [RequiresUnreferencedCode("Resolves metadata tokens, which trimming changes.")]
    private static MemberInfo? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (ArgumentException)
        {
            // A token the runtime cannot resolve here (a vararg call site's signature): the
            // text falls back to "?", which still changes when the instruction does.
            return null;
        }
    }
}
