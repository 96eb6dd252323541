/** The model whose rows the write-back copies to PostgreSQL (data_pipeline_mentionspike). */
export const SPIKES_MODEL = "mention_spikes";
