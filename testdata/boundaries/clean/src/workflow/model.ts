export interface Workflow {
  name: string;
}
