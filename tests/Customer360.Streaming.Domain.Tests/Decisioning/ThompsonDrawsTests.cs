using Customer360.Streaming.Domain.Decisioning;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace Customer360.Streaming.Domain.Tests.Decisioning;

/// <summary>
/// The reseeded generator must draw exactly what a new MathNet <see cref="Xoshiro256StarStar"/> of the same seed draws:
/// offer choices already made (and replayed from a changelog) depend on those draws.
/// </summary>
public sealed class ThompsonDrawsTests
{
    public static TheoryData<int> Seeds() => [0, 1, -1, 42, -5, int.MaxValue, int.MinValue, 1_234_567, -987_654_321];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Reseeded_draws_equal_a_new_MathNet_xoshiro_of_the_same_seed(int seed)
    {
        var draws = new ThompsonDraws();
        draws.Reseed(seed + 1);
        draws.NextDouble();

        draws.Reseed(seed);
        var reference = new Xoshiro256StarStar(seed);

        Assert.Equal(Enumerable.Range(0, 64).Select(_ => reference.NextDouble()), Enumerable.Range(0, 64).Select(_ => draws.NextDouble()));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_beta_sample_from_the_reseeded_draws_equals_the_one_from_a_new_MathNet_xoshiro(int seed)
    {
        var draws = new ThompsonDraws();
        foreach (var (alpha, beta) in new[] { (1.0, 1.0), (3.0, 7.0), (0.5, 0.5), (120.0, 3.0), (2.0, 900.0) })
        {
            draws.Reseed(seed);

            Assert.Equal(Beta.Sample(new Xoshiro256StarStar(seed), alpha, beta), Beta.Sample(draws, alpha, beta));
        }
    }

    [Fact]
    public void Integers_and_bytes_come_from_the_same_reseeded_sequence()
    {
        var draws = new ThompsonDraws();
        draws.Reseed(7);
        var first = (draws.Next(1_000), draws.NextInt64(), draws.Next(3, 9));
        draws.Reseed(7);

        Assert.Equal(first, (draws.Next(1_000), draws.NextInt64(), draws.Next(3, 9)));
        Assert.InRange(first.Item3, 3, 8);
    }
}
