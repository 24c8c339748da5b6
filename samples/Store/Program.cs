namespace SampleStore;

public static class Program
{
    public static Task Main(string[] args) => StoreApp.Build(args).RunAsync();
}
