import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';

/**
 * A fresh container per application (and per test). Nothing is ever registered in tsyringe's global
 * container, so two servers in one process (the contract tests run several) never share state.
 */
export function createContainer(): DependencyContainer {
  return rootContainer.createChildContainer();
}

export type { DependencyContainer } from 'tsyringe';
