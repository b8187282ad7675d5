//! The MCP server: the tool router (each tool's JSON schema comes from its parameter and result
//! types), the server's description, and the stdio transport. A tool's failure is a tool error
//! (`isError: true` with the message), never a crashed server.

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ServerHandler, ServiceExt};

use super::debug::{DebugResult, DebugScript};
use super::inspect::{Analyze, AnalyzeResult, EnvCheck, EnvCheckResult, EnvList, EnvListResult};
use super::run::{ProfileResult, ProfileScript, RunPython, RunResult};

/// Most characters of one stream (stdout, stderr) a result carries; the rest is cut with a note,
/// so a program that floods its output cannot flood the assistant's context.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// `text` cut to [`OUTPUT_LIMIT`] characters (on a character boundary) with a note saying how
/// much was left out; whether it was cut.
pub fn truncated(text: String) -> (String, bool) {
    if text.len() <= OUTPUT_LIMIT {
        return (text, false);
    }
    let mut end = OUTPUT_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let note = format!("\n[loupe: output truncated: {} bytes in all, the first {end} shown]\n", text.len());
    (format!("{}{note}", &text[..end]), true)
}

/// A tool's error as the client sees it: the whole chain of causes on one line.
pub fn tool_error(error: anyhow::Error) -> String {
    format!("{error:#}")
}

#[derive(Debug, Clone)]
pub struct LoupeServer {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl LoupeServer {
    pub fn new() -> Self {
        LoupeServer { tool_router: Self::tool_router() }
    }

    #[tool(
        description = "Run Python code (or a script) in loupe's sandbox: no network unless asked, no access to the \
                       home directory, limits on time and memory. Returns stdout, stderr, the exit code, the limit \
                       that ended the run (if any) and the wall time."
    )]
    async fn run_python(&self, Parameters(request): Parameters<RunPython>) -> Result<Json<RunResult>, String> {
        super::run::run_python(request).await.map(Json).map_err(tool_error)
    }

    #[tool(description = "Debug a Python script without a UI: set breakpoints (with conditions and hit counts), run \
                       batch commands (locals, print EXPR, next, step, stack, continue, ...) and get the transcript: \
                       every stop with its stack and locals, every result, the program's output and exit.")]
    async fn debug_script(&self, Parameters(request): Parameters<DebugScript>) -> Result<Json<DebugResult>, String> {
        super::debug::debug_script(request).await.map(Json).map_err(tool_error)
    }

    #[tool(description = "Profile a Python script under cProfile in the sandbox: the top functions by self or \
                       cumulative time with call counts, and on request a flamegraph SVG or folded stacks file.")]
    async fn profile_script(
        &self,
        Parameters(request): Parameters<ProfileScript>,
    ) -> Result<Json<ProfileResult>, String> {
        super::run::profile_script(request).await.map(Json).map_err(tool_error)
    }

    #[tool(description = "Static analysis of Python files or directories: imports, definitions, complexity, \
                       maintainability and security findings (the JSON of `loupe analyze --format json`).")]
    async fn analyze(&self, Parameters(request): Parameters<Analyze>) -> Result<Json<AnalyzeResult>, String> {
        super::inspect::analyze(request).await.map(Json).map_err(tool_error)
    }

    #[tool(description = "Every Python interpreter found: PATH, pyenv, conda, uv, virtual environments.")]
    async fn env_list(&self, Parameters(request): Parameters<EnvList>) -> Result<Json<EnvListResult>, String> {
        super::inspect::env_list(request).await.map(Json).map_err(tool_error)
    }

    #[tool(description = "An environment's broken requirements: missing dependencies, version conflicts and broken \
                       metadata, as `pip check` reports them.")]
    async fn env_check(&self, Parameters(request): Parameters<EnvCheck>) -> Result<Json<EnvCheckResult>, String> {
        super::inspect::env_check(request).await.map(Json).map_err(tool_error)
    }
}

impl Default for LoupeServer {
    fn default() -> Self {
        Self::new()
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for LoupeServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("loupe", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "loupe runs, debugs, profiles and analyses Python. Every program runs in a sandbox (no \
                 network unless asked, limits); paths are on this machine.",
            )
    }
}

/// Serves MCP on stdin/stdout until the client closes the connection.
pub async fn serve() -> anyhow::Result<u8> {
    let running = LoupeServer::new()
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| anyhow::anyhow!("the MCP session did not start: {e}"))?;
    let reason = running.waiting().await.map_err(|e| anyhow::anyhow!("the MCP server stopped: {e}"))?;
    tracing::info!("MCP client gone: {reason:?}");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::{truncated, OUTPUT_LIMIT};

    #[test]
    fn truncation_keeps_short_text_and_cuts_long_text_on_a_character_boundary() {
        assert_eq!(truncated("short".into()), ("short".to_string(), false));
        // 'é' is two bytes: the limit falls inside one.
        let long = format!("a{}", "é".repeat(OUTPUT_LIMIT));
        let (cut, was_cut) = truncated(long.clone());
        assert!(was_cut);
        assert!(cut.starts_with(&long[..OUTPUT_LIMIT - 1]));
        assert!(cut.ends_with(&format!(
            "[loupe: output truncated: {} bytes in all, the first {} shown]\n",
            long.len(),
            OUTPUT_LIMIT - 1
        )));
    }
}
