import { defineConfig } from 'tsup';
import { binaryBuild } from '../../tsup.shared.js';

export default defineConfig(binaryBuild({ main: 'src/main.ts' }));
