using System.Globalization;

namespace Relucent.Cluster.Output
{
    /// <summary>
    /// The result file of one shard: <c>shard-00017.safetensors</c> holding <c>maps</c> (F32 <c>[N, …map shape]</c>) and
    /// <c>targets</c> (I32 <c>[N]</c>, the class each map explains), with the job's description as metadata. Nothing in it
    /// depends on the silo or the time, so every run of a shard writes the same bytes.
    /// </summary>
    public static class ShardFile
    {
        /// <summary>The tensor of maps.</summary>
        public const string MapsTensor = "maps";

        /// <summary>The tensor of classes.</summary>
        public const string TargetsTensor = "targets";

        /// <summary>The file name of shard <paramref name="index"/>.</summary>
        public static string Name(int index) => "shard-" + index.ToString("D5", CultureInfo.InvariantCulture) + ".safetensors";

        /// <summary>The bytes of a shard's file.</summary>
        internal static byte[] Serialize(ExplainJob job, InputShard input, IReadOnlyList<int> mapShape, int[] targets, float[] maps)
        {
            int[] shape = [targets.Length, .. mapShape];
            var tensors = new Dictionary<string, Tensor>
            {
                [MapsTensor] = Tensor.FromSingle(maps, shape),
                [TargetsTensor] = Tensor.FromInt32(targets, targets.Length),
            };
            var metadata = new Dictionary<string, string>
            {
                ["network"] = job.Network,
                ["method"] = job.Method.Describe(),
                ["targets"] = job.Targets.Describe(),
                ["input"] = input.Describe(),
            };
            return SafeTensors.Serialize(tensors, metadata);
        }
    }
}
