global using System.Numerics;
global using Relucent;
