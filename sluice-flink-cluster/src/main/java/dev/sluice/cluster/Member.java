package dev.sluice.cluster;

import java.util.Optional;

/** One process of the cluster: the JobManager (index 0) or the TaskManager with the given index. */
public record Member(Role role, int index) {

    /** What a process is; each role has its Flink entry point and its BashJavaUtils memory command. */
    public enum Role {
        JOBMANAGER("jobmanager", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                "GET_JM_RESOURCE_PARAMS"),
        TASKMANAGER("taskmanager", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "GET_TM_RESOURCE_PARAMS");

        final String prefix;
        final String mainClass;
        final String resourceParamsCommand;

        Role(String prefix, String mainClass, String resourceParamsCommand) {
            this.prefix = prefix;
            this.mainClass = mainClass;
            this.resourceParamsCommand = resourceParamsCommand;
        }
    }

    public Member {
        if (index < 0 || (role == Role.JOBMANAGER && index != 0)) {
            throw new IllegalArgumentException("no " + role.prefix + " with index " + index);
        }
    }

    public static Member jobManager() {
        return new Member(Role.JOBMANAGER, 0);
    }

    public static Member taskManager(int index) {
        return new Member(Role.TASKMANAGER, index);
    }

    /** The member a name such as "taskmanager-1" (a pid file's name) stands for, if any. */
    static Optional<Member> parse(String name) {
        for (Role role : Role.values()) {
            String prefix = role.prefix + "-";
            if (name.startsWith(prefix) && name.substring(prefix.length()).matches("[0-9]{1,5}")) {
                int index = Integer.parseInt(name.substring(prefix.length()));
                return role == Role.JOBMANAGER && index != 0 ? Optional.empty()
                        : Optional.of(new Member(role, index));
            }
        }
        return Optional.empty();
    }

    /** "jobmanager-0", "taskmanager-1": the name of its pid and log files, and a TaskManager's Flink resource id. */
    public String name() {
        return role.prefix + "-" + index;
    }

    @Override
    public String toString() {
        return name();
    }
}
