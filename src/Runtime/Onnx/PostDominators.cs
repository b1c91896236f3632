using Relucent.Model;

namespace Relucent
{
    /// <summary>
    /// The post-dominator tree of a graph's nodes in topological order: node <c>v</c>'s parent is the first node every
    /// path from <c>v</c> to the graph's end passes through. Where the branches from one tensor meet is the nearest
    /// common ancestor of the nodes reading it, and a branch belongs to the join's input whose producer is its ancestor.
    /// </summary>
    /// <remarks>
    /// Built in one pass in reverse topological order (Cooper, Harvey and Kennedy's intersection, which a DAG needs only
    /// once), then numbered by one iterative walk so "is an ancestor of" costs two comparisons. On graphs of blocks
    /// (branches that meet) each tree edge is walked about once; a tangled graph could make the intersections quadratic,
    /// so every step counts against a budget proportional to the graph, and passing it is refused by name.
    /// </remarks>
    internal sealed class PostDominators
    {
        private readonly int[] _parent;
        private readonly int[] _depth;
        private readonly int[] _enter;
        private readonly int[] _leave;
        private readonly long _budget;
        private readonly Func<long, Exception> _exhausted;
        private long _steps;

        /// <param name="successors">
        /// For each node, numbered in topological order, the nodes reading its outputs (each numbered after it), with
        /// <see cref="Exit"/> (the node count) for a node producing the graph's output or read by none.
        /// </param>
        /// <param name="exhausted">The exception for a graph past the budget, given the budget.</param>
        public PostDominators(int[][] successors, Func<long, Exception> exhausted)
        {
            int count = successors.Length;
            Exit = count;
            _parent = new int[count + 1];
            _depth = new int[count + 1];
            _exhausted = exhausted;
            _budget = (Limits.MaxNesting + 16L) * (count + successors.Sum(s => (long)s.Length) + 1) + 1024;
            _parent[Exit] = Exit;
            for (int v = count - 1; v >= 0; v--)
            {
                int parent = successors[v].Length == 0 ? Exit : successors[v][0];
                for (int k = 1; k < successors[v].Length; k++) parent = Intersect(parent, successors[v][k]);
                _parent[v] = parent;
                _depth[v] = _depth[parent] + 1;
            }

            (_enter, _leave) = Number(count);
        }

        /// <summary>The graph's end, the root: a common ancestor of every node.</summary>
        public int Exit { get; }

        /// <summary>The node's parent in the tree (<see cref="Exit"/> for the root's children and the root).</summary>
        public int Parent(int node) => _parent[node];

        /// <summary>The node's depth (the root's is 0).</summary>
        public int Depth(int node) => _depth[node];

        /// <summary>Whether <paramref name="ancestor"/> is <paramref name="node"/> or post-dominates it.</summary>
        public bool Dominates(int ancestor, int node) => _enter[ancestor] <= _enter[node] && _leave[node] <= _leave[ancestor];

        /// <summary>The nearest common ancestor of <paramref name="nodes"/>: where every path from them meets.</summary>
        public int Join(IEnumerable<int> nodes)
        {
            int join = -1;
            foreach (int node in nodes) join = join < 0 ? node : Intersect(join, node);
            return join < 0 ? Exit : join;
        }

        private int Intersect(int a, int b)
        {
            while (a != b)
            {
                if (++_steps > _budget) throw _exhausted(_budget);
                if (_depth[a] >= _depth[b]) a = _parent[a];
                else b = _parent[b];
            }

            return a;
        }

        /// <summary>Each node's entry and exit number in a depth-first walk from the root, without recursion.</summary>
        private (int[] Enter, int[] Leave) Number(int count)
        {
            // Children as one array of runs (counting sort by parent).
            var start = new int[count + 2];
            for (int v = 0; v < count; v++) start[_parent[v] + 1]++;
            for (int p = 0; p <= count; p++) start[p + 1] += start[p];
            var children = new int[count];
            var fill = (int[])start.Clone();
            for (int v = 0; v < count; v++) children[fill[_parent[v]]++] = v;

            var enter = new int[count + 1];
            var leave = new int[count + 1];
            var stack = new Stack<(int Node, int Next)>();
            int clock = 0;
            enter[Exit] = clock++;
            stack.Push((Exit, start[Exit]));
            while (stack.Count > 0)
            {
                (int node, int next) = stack.Pop();
                if (next < start[node + 1])
                {
                    stack.Push((node, next + 1));
                    int child = children[next];
                    enter[child] = clock++;
                    stack.Push((child, start[child]));
                }
                else
                {
                    leave[node] = clock++;
                }
            }

            return (enter, leave);
        }
    }
}
