import { CommandError } from "../protocol";
import { Container, type Host } from "./base";

/** Row (children side by side) and Column (children stacked). Only changeParent applies. */
export class Layout extends Container {
  constructor(id: string, type: "row" | "column", host: Host) {
    super(id, type, host);
  }

  update(action: string): void {
    throw new CommandError(`unknown action '${action}'`);
  }
}
