/// The plugin's generated source joins this one in the module.
public enum Anchor {}
