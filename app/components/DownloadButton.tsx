// A download that is recorded in the audit log is a POST (a plain form, so the browser saves
// the file): a link, or a cross-site page, can never make one happen. A form cannot sit inside a
// paragraph, so put it in a div.
export function DownloadButton({ action, className = "button", children }: { action: string; className?: string; children: React.ReactNode }) {
  return (
    <form method="post" action={action} className="inline-form">
      <button type="submit" className={className}>
        {children}
      </button>
    </form>
  );
}
