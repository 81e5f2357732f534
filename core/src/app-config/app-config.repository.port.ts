/** The stored application settings: key → string value, as Pocket ID keeps them. */
export interface AppConfigRepository {
  getAll(): Promise<Record<string, string>>;
  /** Replaces every stored setting with `values`, in one transaction. */
  replaceAll(values: Record<string, string>): Promise<void>;
}
