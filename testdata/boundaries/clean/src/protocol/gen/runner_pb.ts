export class Task {}
