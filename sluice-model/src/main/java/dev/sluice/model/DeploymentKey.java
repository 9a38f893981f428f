package dev.sluice.model;

/** Names one deployment: namespace and name. */
public record DeploymentKey(String namespace, String name) {
    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
