import { Command } from 'commander';
import { FEATURES, STAGES, type StageName } from '@paperline/contracts';
import { parseFeatureSwitches } from '@paperline/client';
import { ControlPlane } from '@paperline/stage';
import { connectBus, writeLine, type CliContext } from '../context.js';
import { CliError, ExitCodes } from '../errors.js';

function parseStage(value: string): StageName {
  if (!(STAGES as readonly string[]).includes(value)) throw new CliError(`unknown stage "${value}": one of ${STAGES.join(', ')}`, ExitCodes.USAGE);
  return value as StageName;
}

async function withControl<T>(ctx: CliContext, work: (control: ControlPlane) => Promise<T>): Promise<T> {
  const bus = await connectBus(ctx);
  try {
    return await work(await ControlPlane.open(bus));
  } finally {
    await bus.close();
  }
}

function pauseCommand(ctx: CliContext, paused: boolean): Command {
  return new Command(paused ? 'pause' : 'resume')
    .summary(paused ? 'pause a stage (its messages wait)' : 'resume a paused stage')
    .description(
      paused
        ? 'pause a stage: it stops fetching, finishes what it holds, then unloads its models; its messages wait in the stream'
        : 'resume a paused stage',
    )
    .argument('<stage>', STAGES.join(' | '))
    .action(async (value: string) => {
      const stage = parseStage(value);
      await withControl(ctx, (control) => control.setPaused(stage, paused));
      writeLine(ctx.stdout, `${stage} ${paused ? 'paused' : 'resumed'}`);
    });
}

function featuresCommand(ctx: CliContext): Command {
  const show = async (flags: { json?: boolean }) => {
    const features = await withControl(ctx, (control) => control.features());
    if (flags.json) writeLine(ctx.stdout, JSON.stringify(features));
    else for (const feature of FEATURES) writeLine(ctx.stdout, `${feature.padEnd(8)} ${features[feature] ? 'on' : 'off'}`);
  };
  const features = new Command('features')
    .summary('show or set the feature flags (table, formula, chart)')
    .description(`show the cluster-wide feature flags (${FEATURES.join(', ')}); a disabled feature falls back (table -> text, formula -> text plus image, chart -> image plus caption)`)
    .option('--json', 'print JSON')
    .action(show);
  features
    .command('set')
    .description('turn features on or off for every document, e.g. `features set table=off formula=on`')
    .argument('<switches...>', 'FEATURE=on|off')
    .action(async (switches: string[]) => {
      let parsed;
      try {
        parsed = parseFeatureSwitches(switches.join(','));
      } catch (error) {
        throw new CliError((error as Error).message, ExitCodes.USAGE);
      }
      await withControl(ctx, async (control) => {
        for (const [feature, enabled] of Object.entries(parsed)) await control.setFeature(feature as (typeof FEATURES)[number], enabled);
      });
      await show({});
    });
  return features;
}

export function controlCommands(ctx: CliContext): Command[] {
  return [pauseCommand(ctx, true), pauseCommand(ctx, false), featuresCommand(ctx)];
}
