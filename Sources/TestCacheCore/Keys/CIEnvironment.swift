import TestCacheStore

/// The variables a CI system sets anew for every run, job, step or attempt without changing what a test
/// can do: commit and ref names, run and job ids and numbers, per-step file paths, tokens, runner and
/// agent names, timestamps.
///
/// They are left out of a key only where a test read the environment whole (ProcessInfo's environment,
/// or a child process started with Foundation's `Process`, which inherits all of it): otherwise every CI
/// run would miss. A variable a test or a manifest reads by name always counts, whatever this list says.
///
/// Each system's list applies only when that system is detected by its own marker, since some of its
/// names are too ordinary to drop elsewhere (Jenkins' `BUILD_NUMBER`, `WORKSPACE`, `NODE_NAME`). The lists
/// come from each system's reference of predefined variables (GitHub Actions "Variables reference",
/// GitLab "Predefined CI/CD variables", Buildkite "Environment variables", CircleCI "Project values and
/// variables", Jenkins "env-vars.html" and its Git and pipeline plugins, Azure Pipelines "Predefined
/// variables", Bitrise "Available environment variables"), read for issue 12. Configuration that can
/// change a test's behaviour stays keyed: `CI`, the systems' own markers, the runner's OS, architecture
/// and image, job and stage names, debug switches.
enum CIEnvironment {
    /// One CI system: how to tell it is running, and what it sets per run.
    struct System: Sendable {
        var name: String
        /// Whether `environment` is this system's.
        var detects: @Sendable ([String: String]) -> Bool
        var names: Set<String>
        var prefixes: [String]
        /// Names kept although a prefix above matches them.
        var kept: Set<String> = []
        var keptPrefixes: [String] = []

        func isPerRun(_ name: String) -> Bool {
            if names.contains(name) { return true }
            guard prefixes.contains(where: { name.hasPrefix($0) }) else { return false }
            return !kept.contains(name) && !keptPrefixes.contains(where: { name.hasPrefix($0) })
        }
    }

    /// Set on any machine that runs a job for a CI system, and that only tell one job's process from another's.
    static let anySystem: Set<String> = ["INVOCATION_ID", "JOURNAL_STREAM", "HOSTNAME", "SSH_AUTH_SOCK"]

    static let systems: [System] = [
        System(
            name: "GitHub Actions", detects: { $0["GITHUB_ACTIONS"] == "true" },
            names: [
                "GITHUB_RUN_ID", "GITHUB_RUN_NUMBER", "GITHUB_RUN_ATTEMPT", "GITHUB_SHA", "GITHUB_WORKFLOW_SHA",
                "GITHUB_WORKFLOW_REF", "GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_REF_TYPE", "GITHUB_REF_PROTECTED",
                "GITHUB_HEAD_REF", "GITHUB_BASE_REF", "GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_ACTOR",
                "GITHUB_ACTOR_ID", "GITHUB_TRIGGERING_ACTOR", "GITHUB_ACTION", "GITHUB_ACTION_PATH",
                "GITHUB_ACTION_REPOSITORY", "GITHUB_ACTION_REF", "GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH",
                "GITHUB_STATE", "GITHUB_STEP_SUMMARY", "GITHUB_TOKEN", "GITHUB_JOB", "RUNNER_NAME", "RUNNER_TRACKING_ID",
                "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_RUNTIME_TOKEN",
                "ACTIONS_RUNTIME_URL", "ACTIONS_RESULTS_URL", "ACTIONS_CACHE_URL", "ACTIONS_ORCHESTRATION_ID",
            ],
            // Exact names only: a `GITHUB_ACTION` prefix would catch the marker `GITHUB_ACTIONS` itself.
            prefixes: []),
        System(
            name: "GitLab CI", detects: { $0["GITLAB_CI"] == "true" },
            names: [
                "CI_PIPELINE_ID", "CI_PIPELINE_IID", "CI_PIPELINE_URL", "CI_PIPELINE_CREATED_AT", "CI_PIPELINE_SOURCE",
                "CI_PIPELINE_TRIGGERED", "CI_PIPELINE_NAME", "CI_PIPELINE_SCHEDULE_DESCRIPTION", "CI_REGISTRY_PASSWORD",
                "CI_DEPENDENCY_PROXY_PASSWORD", "CI_REPOSITORY_URL", "CI_DEPLOY_PASSWORD", "CI_DEPLOY_USER",
                "CI_TRIGGER_SHORT_TOKEN", "TRIGGER_PAYLOAD", "CI_OPEN_MERGE_REQUESTS", "CI_RELEASE_DESCRIPTION",
                "CI_RUNNER_ID", "CI_RUNNER_DESCRIPTION", "CI_RUNNER_SHORT_TOKEN", "CI_RUNNER_VERSION",
                "CI_RUNNER_REVISION", "CI_SERVER_VERSION", "CI_SERVER_VERSION_MAJOR", "CI_SERVER_VERSION_MINOR",
                "CI_SERVER_VERSION_PATCH", "CI_SERVER_REVISION", "CI_CONCURRENT_ID", "CI_CONCURRENT_PROJECT_ID",
                "CI_DEPLOY_FREEZE", "CI_HAS_OPEN_REQUIREMENTS", "CI_NODE_INDEX", "CI_NODE_TOTAL", "CI_PROJECT_TITLE",
                "CI_PROJECT_DESCRIPTION", "CI_PROJECT_REPOSITORY_LANGUAGES", "GITLAB_FEATURES", "GITLAB_ENV",
            ],
            prefixes: ["CI_COMMIT_", "CI_MERGE_REQUEST_", "CI_EXTERNAL_PULL_REQUEST_", "CI_JOB_", "CHAT_", "GITLAB_USER_", "CI_BUILD_"],
            kept: ["CI_JOB_NAME", "CI_JOB_NAME_SLUG", "CI_JOB_GROUP_NAME", "CI_JOB_STAGE", "CI_JOB_IMAGE", "CI_JOB_TIMEOUT"]),
        System(
            name: "Buildkite", detects: { $0["BUILDKITE"] == "true" },
            names: [
                "BUILDKITE_JOB_ID", "BUILDKITE_JOB_LOG_TMPFILE", "BUILDKITE_JOB_CANCELLED", "BUILDKITE_STEP_ID",
                "BUILDKITE_GROUP_ID", "BUILDKITE_RETRY_COUNT", "BUILDKITE_COMMIT", "BUILDKITE_COMMIT_RESOLVED",
                "BUILDKITE_MESSAGE", "BUILDKITE_BRANCH", "BUILDKITE_TAG", "BUILDKITE_SOURCE", "BUILDKITE_ENV_FILE",
                "BUILDKITE_LAST_HOOK_EXIT_STATUS", "BUILDKITE_COMMAND_EXIT_STATUS", "BUILDKITE_IGNORED_ENV",
                "BUILDKITE_ARTIFACT_UPLOAD_DESTINATION", "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT",
            ],
            prefixes: [
                "BUILDKITE_BUILD_", "BUILDKITE_AGENT_", "BUILDKITE_PULL_REQUEST", "BUILDKITE_MERGE_QUEUE_",
                "BUILDKITE_REBUILT_FROM_", "BUILDKITE_TRIGGERED_FROM_", "BUILDKITE_UNBLOCKER", "BUILDKITE_GITHUB_",
            ],
            kept: ["BUILDKITE_BUILD_PATH"], keptPrefixes: ["BUILDKITE_AGENT_META_DATA_"]),
        System(
            name: "CircleCI", detects: { $0["CIRCLECI"] == "true" },
            names: [
                "CIRCLE_BUILD_NUM", "CIRCLE_BUILD_URL", "CIRCLE_PREVIOUS_BUILD_NUM", "CIRCLE_PIPELINE_ID", "CIRCLE_SHA1",
                "CIRCLE_BRANCH", "CIRCLE_TAG", "CIRCLE_PULL_REQUEST", "CIRCLE_PULL_REQUESTS", "CI_PULL_REQUEST",
                "CI_PULL_REQUESTS", "CIRCLE_COMPARE_URL", "CIRCLE_USERNAME", "CIRCLE_SHELL_ENV", "BASH_ENV",
                "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL",
            ],
            prefixes: ["CIRCLE_WORKFLOW_", "CIRCLE_PR_", "CIRCLE_OIDC_", "CIRCLE_INTERNAL_"],
            kept: ["CIRCLE_INTERNAL_CONFIG"]),
        System(
            name: "Jenkins", detects: { $0["JENKINS_URL"] != nil || $0["JENKINS_HOME"] != nil },
            names: [
                "BUILD_NUMBER", "BUILD_ID", "BUILD_DISPLAY_NAME", "BUILD_TAG", "BUILD_URL", "RUN_DISPLAY_URL",
                "RUN_ARTIFACTS_DISPLAY_URL", "RUN_CHANGES_DISPLAY_URL", "RUN_TESTS_DISPLAY_URL", "EXECUTOR_NUMBER",
                "NODE_NAME", "NODE_LABELS", "JENKINS_NODE_COOKIE", "JENKINS_SERVER_COOKIE", "HUDSON_SERVER_COOKIE",
                "HUDSON_COOKIE", "GIT_COMMIT", "GIT_PREVIOUS_COMMIT", "GIT_PREVIOUS_SUCCESSFUL_COMMIT", "GIT_BRANCH",
                "GIT_LOCAL_BRANCH", "BRANCH_NAME", "BRANCH_IS_PRIMARY", "TAG_NAME", "TAG_TIMESTAMP", "TAG_UNIXTIME",
                "TAG_DATE", "SVN_REVISION", "SVN_URL", "CVS_BRANCH", "JOB_NAME", "JOB_BASE_NAME", "JOB_URL",
                "JOB_DISPLAY_URL", "WORKSPACE_TMP",
            ],
            prefixes: ["CHANGE_", "ghprb", "gitlab", "SVN_REVISION_", "SVN_URL_"]),
        System(
            name: "Azure Pipelines", detects: { $0["TF_BUILD"]?.lowercased() == "true" },
            names: [
                "BUILD_BUILDID", "BUILD_BUILDNUMBER", "BUILD_BUILDURI", "BUILD_CONTAINERID", "BUILD_SOURCEVERSION",
                "BUILD_SOURCEVERSIONMESSAGE", "BUILD_SOURCEVERSIONAUTHOR", "BUILD_SOURCEBRANCH", "BUILD_SOURCEBRANCHNAME",
                "BUILD_SOURCETFVCSHELVESET", "BUILD_REASON", "BUILD_QUEUEDBY", "BUILD_QUEUEDBYID", "BUILD_REQUESTEDFOR",
                "BUILD_REQUESTEDFOREMAIL", "BUILD_REQUESTEDFORID", "SYSTEM_JOBID", "SYSTEM_JOBATTEMPT",
                "SYSTEM_PHASEATTEMPT", "SYSTEM_STAGEATTEMPT", "SYSTEM_TIMELINEID", "SYSTEM_PLANID",
                "SYSTEM_PIPELINESTARTTIME", "SYSTEM_TASKINSTANCEID", "SYSTEM_TASKINSTANCENAME", "SYSTEM_TASKDISPLAYNAME",
                "TASK_DISPLAYNAME", "SYSTEM_ISSCHEDULED", "SYSTEM_ACCESSTOKEN", "SYSTEM_STAGEID", "SYSTEM_PHASEID",
                "SYSTEM_JOBIDENTIFIER", "SYSTEM_JOBPOSITIONINPHASE", "SYSTEM_TOTALJOBSINPHASE", "AGENT_ID", "AGENT_NAME",
                "AGENT_MACHINENAME", "AGENT_VERSION", "AGENT_HOMEDIRECTORY", "AGENT_JOBSTATUS", "agent.jobstatus",
                "VSTS_PROCESS_LOOKUP_ID", "RESOURCES_TRIGGERINGALIAS", "RESOURCES_TRIGGERINGCATEGORY",
            ],
            prefixes: ["BUILD_TRIGGEREDBY_", "SYSTEM_PULLREQUEST_"]),
        System(
            name: "Bitrise", detects: { $0["BITRISE_IO"] == "true" || $0["BITRISE_TRIGGERED_WORKFLOW_ID"] != nil },
            names: [
                "BITRISE_BUILD_NUMBER", "BITRISE_BUILD_SLUG", "BITRISE_BUILD_URL", "BITRISE_BUILD_TRIGGER_TIMESTAMP",
                "BITRISE_BUILD_STATUS", "BITRISE_FAILED_STEP_TITLE", "BITRISE_FAILED_STEP_ERROR_MESSAGE",
                "BITRISEIO_GIT_BRANCH_DEST", "BITRISE_PULL_REQUEST", "GITHUB_PR_IS_DRAFT", "PR", "BITRISE_TRIGGER_BY",
                "BITRISE_TRIGGER_METHOD", "BITRISEIO_PIPELINE_ID", "BITRISEIO_PIPELINE_BUILD_STATUS",
                "BITRISEIO_PIPELINE_BUILD_URL", "BITRISEIO_FINISHED_STAGES", "BITRISE_TEST_RESULT_DIR",
                "BITRISE_STEP_SOURCE_DIR", "BITRISE_STEP_EXECUTION_ID", "BITRISE_STEP_FORMATTED_OUTPUT_FILE_PATH",
                "ENVMAN_ENVSTORE_PATH", "BITRISEIO_ENVFILE_PATH", "RM_EVENT_ID", "BITRISE_PROVISION_URL",
                "BITRISE_CERTIFICATE_URL", "BITRISE_CERTIFICATE_PASSPHRASE", "BITRISE_DEPLOY_DIR",
                "BITRISE_TEST_DEPLOY_DIR", "BITRISE_HTML_REPORT_DIR",
            ],
            prefixes: ["BITRISE_GIT_", "BITRISEIO_PULL_REQUEST_", "RM_RELEASE_", "GIT_CLONE_COMMIT_"]),
    ]

    /// The variable each CI system gives every job of one pipeline run alike, and keeps when a failed job
    /// is run again: what the shards of one run agree on without talking to each other. GitHub's run ID
    /// (not its attempt), GitLab's pipeline, Buildkite's build, CircleCI's workflow, Jenkins' build tag,
    /// Azure's build ID, Bitrise's build slug.
    static let runVariables: [(system: String, variable: String)] = [
        ("GitHub Actions", "GITHUB_RUN_ID"), ("GitLab CI", "CI_PIPELINE_ID"), ("Buildkite", "BUILDKITE_BUILD_ID"),
        ("CircleCI", "CIRCLE_WORKFLOW_ID"), ("Jenkins", "BUILD_TAG"), ("Azure Pipelines", "BUILD_BUILDID"),
        ("Bitrise", "BITRISE_BUILD_SLUG"),
    ]

    /// The CI run this process belongs to, as `System=ID`: `SWIFT_TESTCACHE_PLAN_ID` when set, else the
    /// run variable of the CI system detected; nil outside CI.
    static func runID(_ environment: [String: String]) -> String? {
        if let given = environment[EnvironmentVariable.planID], !given.isEmpty { return "given=" + given }
        for system in systems where system.detects(environment) {
            if let variable = runVariables.first(where: { $0.system == system.name })?.variable, let id = environment[variable], !id.isEmpty {
                return "\(system.name)=\(id)"
            }
        }
        return nil
    }

    /// A test of whether a variable is set per run by the CI system running now (none outside CI).
    static func perRunFilter(for environment: [String: String]) -> @Sendable (String) -> Bool {
        let detected = systems.filter { $0.detects(environment) }
        guard !detected.isEmpty else { return { _ in false } }
        return { name in anySystem.contains(name) || detected.contains { $0.isPerRun(name) } }
    }
}
