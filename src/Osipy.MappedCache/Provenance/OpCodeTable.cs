using System.Reflection;
using System.Reflection.Emit;

namespace Osipy.MappedCache.Provenance;

/// <summary>
/// Every IL opcode by its encoded value, built once from the fields of <see cref="OpCodes"/>:
/// one-byte opcodes by their byte, two-byte ones (prefix 0xFE) by their second byte.
/// </summary>
internal static class OpCodeTable
{
    private static readonly OpCode?[] s_oneByte = new OpCode?[256];
    private static readonly OpCode?[] s_twoByte = new OpCode?[256];

    static OpCodeTable()
    {
        foreach (FieldInfo field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            if (field.GetValue(null) is OpCode code)
            {
                ushort value = unchecked((ushort)code.Value);
                if (code.Size == 1)
                {
                    s_oneByte[value & 0xFF] = code;
                }
                else
                {
                    s_twoByte[value & 0xFF] = code;
                }
            }
        }
    }

    /// <summary>Reads the opcode at <paramref name="position"/> and moves past it.</summary>
    /// <exception cref="InvalidOperationException">Bytes that are no opcode (the body is not valid IL).</exception>
    public static OpCode Read(ReadOnlySpan<byte> il, ref int position)
    {
        byte first = il[position++];
        OpCode? code = first == 0xFE ? s_twoByte[il[position++]] : s_oneByte[first];
        return code ?? throw new InvalidOperationException($"Unknown IL opcode 0x{first:x2} at offset {position - 1}.");
    }

    /// <summary>Bytes of the operand that follows <paramref name="code"/> (a switch's table excluded: its count comes first).</summary>
    public static int OperandSize(OpCode code) => code.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
