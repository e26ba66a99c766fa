import { describe, expect, it } from 'vitest';
import { escapeRoff, fullUsage, inlineRoff, paragraphsRoff, renderManPage } from './man-page.mjs';

describe('escapeRoff', () => {
  it('writes every minus as \\- so options copied from the page are ASCII', () => {
    expect(escapeRoff('--lock-ttl <seconds>')).toBe('\\-\\-lock\\-ttl <seconds>');
  });

  it('writes a backslash as \\e, which roff prints as one backslash', () => {
    expect(escapeRoff('C:\\repo')).toBe('C:\\erepo');
  });

  it("shields a line starting with . or ' so roff does not take it for a request", () => {
    expect(escapeRoff(".git/config\n'quoted'\nplain")).toBe("\\&.git/config\n\\&'quoted'\nplain");
  });

  it('writes characters outside ASCII so that a terminal in the C locale shows them without a troff warning', () => {
    expect(escapeRoff('refs/… keys — é')).toBe('refs/... keys \\(em \\[u00E9]');
  });

  it('leaves a dot or quote inside a line alone', () => {
    expect(escapeRoff("it's in .git")).toBe("it's in .git");
  });
});

describe('inlineRoff', () => {
  it('shows `code` in bold, escaped, even when clipanion wrapped it across lines', () => {
    expect(inlineRoff('run `git s3 gc` or `-b\n<branch>`')).toBe('run \\fBgit s3 gc\\fR or \\fB\\-b\n<branch>\\fR');
  });

  it('shields a wrapped line that starts with a dot after a code span', () => {
    expect(inlineRoff('see `x`\n. then')).toBe('see \\fBx\\fR\n\\&. then');
  });
});

describe('paragraphsRoff', () => {
  it('turns blank-line separated paragraphs into .PP and "- " items into bullets', () => {
    expect(paragraphsRoff('One\nline.\n\n- first item\n  continued\n\nTwo.')).toBe(
      '.PP\nOne\nline.\n.IP \\(bu 2\nfirst item\ncontinued\n.PP\nTwo.',
    );
  });
});

const doctor = {
  path: 'git s3 doctor',
  usage: 'git s3 doctor <remote>',
  description: 'check a remote\n',
  details: 'Reports what is wrong.\n',
  examples: [['Check the remote origin\n', 'git s3 doctor origin']],
  options: [
    { definition: '--lock-ttl <seconds>', description: 'seconds after which a lock is stale', required: false },
    { definition: '--to <layout>', description: 'the layout', required: true },
  ],
};

describe('renderManPage', () => {
  it('puts every described option back into the synopsis, required ones as they are in the usage', () => {
    expect(fullUsage({ ...doctor, usage: 'git s3 doctor <remote> --to <layout>' })).toBe(
      'git s3 doctor [--lock-ttl <seconds>] <remote> --to <layout>',
    );
  });

  it('writes NAME, SYNOPSIS, each command with its options and examples, and SEE ALSO', () => {
    const page = renderManPage({
      page: 'git-s3',
      summary: 'manage S3 remotes',
      version: 'git-remote-s3 0.2.0',
      description: ['What it does.'],
      seeAlso: ['git-remote-s3'],
      definitions: [doctor],
    });
    expect(page).toContain('.TH "GIT\\-S3" "1" "" "git\\-remote\\-s3 0.2.0" "Git Manual"\n.SH NAME\ngit\\-s3 \\- manage S3 remotes\n');
    expect(page).toContain('.SH SYNOPSIS\n.nf\n\\fBgit s3 doctor\\fR [\\-\\-lock\\-ttl <seconds>] <remote>\n.fi\n');
    expect(page).toContain('.SS "git s3 doctor"');
    expect(page).toContain('.PP\nCheck a remote\n.PP\nReports what is wrong.\n');
    expect(page).toContain('.TP\n\\fB\\-\\-lock\\-ttl <seconds>\\fR\nseconds after which a lock is stale\n');
    expect(page).toContain('.PP\nCheck the remote origin:\n.RS 4\n.nf\ngit s3 doctor origin\n.fi\n.RE\n');
    expect(page).toMatch(/\.SH "SEE ALSO"\n\\fBgit\\-remote\\-s3\\fR\(1\)\n$/);
  });
});
