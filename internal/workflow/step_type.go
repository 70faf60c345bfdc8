package workflow

import "strings"

// BuiltinStepTypes are the step types the language itself defines; they are always known,
// whatever connectors the engine registers.
var BuiltinStepTypes = []string{
	"if", "foreach", "while", "switch", "parallel", "merge", "wait", "waitForInput",
	"waitForApproval", "loop.break", "loop.continue", "workflow.execute",
	"workflow.executeAsync", "workflow.output", "workflow.fail", "console", "http",
	"data.set", "data.map", "data.filter", "data.find", "data.aggregate", "data.concat",
	"data.dedupe", "data.parseJson", "data.stringifyJson", "data.regexExtract",
	"data.regexReplace",
}

// kibanaStepFamilies are prefixes (before the first dot) of step types Kibana offers that
// Errand may not build: the Elasticsearch and Kibana APIs, Kibana extensions, and the
// Kibana connector types. A type in one of them that no registry knows is "not available in
// this build" rather than unknown.
var kibanaStepFamilies = map[string]bool{
	"elasticsearch": true, "kibana": true, "ai": true, "cases": true, "security": true,
	"entityStore": true, "search": true, "contextEngine": true, "workflows": true,
	"slack": true, "slack_api": true, "slack2": true, "email": true, "jira": true,
	"webhook": true, "pagerduty": true, "teams": true, "opsgenie": true, "servicenow": true,
	"servicenow-sir": true, "servicenow-itom": true, "jira-service-management": true,
	"resilient": true, "swimlane": true, "cases-webhook": true, "tines": true, "thehive": true,
	"d3security": true, "torq": true, "gen-ai": true, "bedrock": true, "gemini": true,
	"inference": true, "mcp": true, "server-log": true, "index": true, "xmatters": true,
	"xsoar": true, "sentinelone": true, "crowdstrike": true, "microsoft_defender_endpoint": true,
	"abuseipdb": true, "alienvault-otx": true, "jira-cloud": true, "confluence-cloud": true,
	"aws_lambda": true, "brave-search": true, "figma": true, "github": true, "virustotal": true,
	"amazon_s3": true, "firecrawl": true, "google_calendar": true, "google_cloud_storage": true,
	"google_drive": true, "microsoft-teams": true, "pagerduty_mcp": true,
	"servicenow_search": true, "sharepoint-online": true, "sharepoint-server": true,
	"tavily_mcp": true, "zendesk": true, "zoom": true,
}

// isBuiltinStepType reports whether t is one of BuiltinStepTypes.
func isBuiltinStepType(t string) bool {
	return contains(BuiltinStepTypes, t)
}

// stepFamily returns the part of a step type before its first dot.
func stepFamily(t string) string {
	family, _, _ := strings.Cut(t, ".")
	return family
}

// loopStepTypes are the step types whose bodies loop.break and loop.continue may end.
var loopStepTypes = map[string]bool{"foreach": true, "while": true}

// flowFieldOwners maps each flow-control field to the step types that use it.
var flowFieldOwners = map[string][]string{
	"condition":            {"if", "while"},
	"steps":                {"if", "foreach", "while", "parallel", "merge"},
	"else":                 {"if"},
	"expression":           {"switch"},
	"cases":                {"switch"},
	"default":              {"switch"},
	"branches":             {"parallel"},
	"mode":                 {"parallel"},
	"concurrency":          {"parallel"},
	"branch-timeout":       {"parallel"},
	"status":               {"workflow.output"},
	"sources":              {"merge"},
	"max-iterations":       {"foreach", "while"},
	"iteration-timeout":    {"foreach", "while"},
	"iteration-on-failure": {"foreach", "while"},
}
