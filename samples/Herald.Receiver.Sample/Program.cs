namespace Herald.Receiver.Sample;

// A Main in a namespace rather than top-level statements: the end-to-end test loads this app next to
// Herald's own Program, and two global Program types would collide.
internal static class Program
{
    // Run:  dotnet run --project samples/Herald.Receiver.Sample -- --Webhooks:Secret=whsec_...
    private static void Main(string[] args) => SampleReceiver.Build(args).Run();
}
