pub async fn run(_a: ToolArgs) -> anyhow::Result<u8> {
    todo!()
}
#[derive(Debug, clap::Args, Clone)]
pub struct ToolArgs {}
