using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Loader;

namespace Osipy.MappedCache.Tests.Provenance;

/// <summary>
/// Two builds of the "same" code, as a user's edit between two runs makes them: an assembly with
/// <c>Fits.FitT1(x) = Signal(x) * 2</c> and <c>Fits.Signal(x) = x + offset</c>, saved and loaded
/// (collectible) like any compiled assembly, so that a changed helper body can be seen under the same name.
/// </summary>
internal static class EmittedFits
{
    /// <summary><c>Fits.FitT1</c> of a fresh assembly whose helper adds <paramref name="signalOffset"/>.</summary>
    public static MethodInfo FitT1(double signalOffset)
    {
        var assembly = new PersistedAssemblyBuilder(new AssemblyName("EmittedFits"), typeof(object).Assembly);
        ModuleBuilder module = assembly.DefineDynamicModule("EmittedFits");
        TypeBuilder fits = module.DefineType("Fits", TypeAttributes.Public | TypeAttributes.Abstract | TypeAttributes.Sealed);

        MethodBuilder signal = fits.DefineMethod("Signal", MethodAttributes.Public | MethodAttributes.Static, typeof(double), [typeof(double)]);
        ILGenerator il = signal.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_R8, signalOffset);
        il.Emit(OpCodes.Add);
        il.Emit(OpCodes.Ret);

        MethodBuilder fit = fits.DefineMethod("FitT1", MethodAttributes.Public | MethodAttributes.Static, typeof(double), [typeof(double)]);
        il = fit.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, signal);
        il.Emit(OpCodes.Ldc_R8, 2.0);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Ret);

        fits.CreateType();
        using var image = new MemoryStream();
        assembly.Save(image);
        image.Position = 0;
        Assembly loaded = new AssemblyLoadContext($"EmittedFits-{signalOffset}", isCollectible: true).LoadFromStream(image);
        return loaded.GetType("Fits")!.GetMethod("FitT1")!;
    }
}
