using Relucent.Samples.Shapes;

return ShapesApp.Run(args);
